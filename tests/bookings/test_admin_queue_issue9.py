"""Issue 9, item 8, in Django admin as an approver asks: the queue's columns in a few
words (yes/no, the organizer's department in their cell, dates in the reader's locale),
the queue's filters kept across a decision, a series decided one meeting at a time, a
booking's history from the audit log, and a room's name headed as a thing's name."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
from django.contrib.auth.models import Permission
from django.contrib.messages import get_messages
from django.urls import reverse, reverse_lazy
from django.utils import translation
from django.utils.translation import trans_real

from bookings.models import Booking, Occurrence, Room
from bookings.services import booking_reject
from oversight.models import AuditEvent
from tests.bookings.conftest import at, book
from tests.conftest import signed_in
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

QUEUE = reverse_lazy("admin:bookings_booking_changelist")
PENDING = "status__exact=pending"
KEPT = urlencode({"_changelist_filters": PENDING})


def change_url(booking: Booking) -> str:
    return reverse("admin:bookings_booking_change", args=[booking.pk])


def history_url(booking: Booking) -> str:
    return reverse("admin:bookings_booking_history", args=[booking.pk])


def meeting_url(booking: Booking, occurrence: Occurrence, decision: str) -> str:
    return reverse(f"admin:bookings_booking_{decision}_meeting", args=[booking.pk, occurrence.pk])


def texts(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


@pytest.fixture
def approver_client(client, approver):
    return signed_in(client, approver)


@pytest.fixture
def staff_without_view_booking(db):
    """Staff who open the queue (change_booking) but may not read confidential meetings."""
    user = UserFactory(email="clerk@example.com", is_staff=True)
    user.user_permissions.add(
        Permission.objects.get(content_type__app_label="bookings", codename="change_booking")
    )
    return user


@pytest.fixture
def series(organizer, room, policy) -> Booking:
    return book(organizer, room, recurrence_rule={"freq": "weekly", "count": 3})


def meetings(booking: Booking) -> list[Occurrence]:
    return list(booking.occurrences.order_by("start"))


# -- the queue's columns -------------------------------------------------------------------


def test_the_series_column_says_yes_or_no_in_words(approver_client, organizer, room, series):
    book(organizer, room, at(3, "10:00"), at(3, "11:00"), topic="Single")

    content = approver_client.get(QUEUE).content.decode()

    cells = content.split('class="field-series"')[1:]
    words = sorted(cell.split("</td>")[0].rsplit(">", 2)[-2].split("<")[0] for cell in cells)
    assert words == ["No", "Yes"]


def test_the_queue_shows_the_organizers_department_in_their_cell(
    approver_client, organizer, room, policy
):
    book(organizer, room)

    content = approver_client.get(QUEUE).content.decode()

    cell = content.split('class="field-organizer_shown"')[1].split("</td>")[0]
    assert "Olga Organizer" in cell
    assert f"<small>{organizer.department}</small>" in cell
    assert "column-department" not in content


def test_the_queue_writes_its_dates_in_the_readers_locale(
    client, approver, organizer, room, policy
):
    book(organizer, room)
    signed_in(client, approver, language="zh-hans")

    content = client.get(QUEUE).content.decode()

    # Django's zh-hans formats (not our catalogue): the day as 2026年12月9日.
    assert "2026年12月9日" in content


def test_a_queue_of_more_bookings_runs_no_more_queries(
    approver_client, organizer, room, policy, django_assert_max_num_queries
):
    for day in range(1, 3):
        book(organizer, room, at(day, "10:00"), at(day, "11:00"))
    with django_assert_max_num_queries(12) as small:
        approver_client.get(QUEUE)
    for day in range(1, 5):
        for hour in ("13", "15"):
            book(organizer, room, at(day, f"{hour}:00"), at(day, f"{hour}:30"))

    with django_assert_max_num_queries(len(small.captured_queries)):
        approver_client.get(QUEUE)


# -- the queue's filters survive a decision ------------------------------------------------


def test_the_decision_buttons_carry_the_queues_filters(approver_client, organizer, room, policy):
    booking = book(organizer, room)

    content = approver_client.get(f"{change_url(booking)}?{KEPT}").content.decode()

    approve = reverse("admin:bookings_booking_approve", args=[booking.pk])
    assert f'formaction="{approve}?{KEPT}"' in content.replace("&amp;", "&")


def test_approving_returns_to_the_queue_with_its_filters(approver_client, organizer, room, policy):
    booking = book(organizer, room)

    response = approver_client.post(
        f"{reverse('admin:bookings_booking_approve', args=[booking.pk])}?{KEPT}"
    )

    assert response.status_code == 302
    assert response["Location"] == f"{QUEUE}?{PENDING}"
    booking.refresh_from_db()
    assert booking.status == Booking.Status.APPROVED


def test_rejecting_returns_to_the_queue_with_its_filters(approver_client, organizer, room, policy):
    booking = book(organizer, room)
    url = f"{reverse('admin:bookings_booking_reject', args=[booking.pk])}?{KEPT}"

    asked = approver_client.post(url)
    response = approver_client.post(url, {"confirm": "yes", "reason": "Room reserved for IT"})

    assert f'action="{url}"' in asked.content.decode().replace("&amp;", "&")
    assert response.status_code == 302
    assert response["Location"] == f"{QUEUE}?{PENDING}"
    booking.refresh_from_db()
    assert booking.status == Booking.Status.REJECTED


def test_a_bulk_approval_returns_to_the_filtered_queue(approver_client, organizer, room, policy):
    booking = book(organizer, room)

    response = approver_client.post(
        f"{QUEUE}?{PENDING}", {"action": "approve_selected", "_selected_action": [booking.pk]}
    )

    assert response.status_code == 302
    assert response["Location"] == f"{QUEUE}?{PENDING}"


# -- a series, one meeting at a time -------------------------------------------------------


def test_a_pending_series_offers_a_decision_for_each_meeting(approver_client, series):
    content = approver_client.get(change_url(series)).content.decode()

    for occurrence in meetings(series):
        assert f'formaction="{meeting_url(series, occurrence, "approve")}"' in content
        assert f'formaction="{meeting_url(series, occurrence, "reject")}"' in content
    assert "3 meetings, 2026-12-09" in content


def test_a_single_meeting_shows_its_time_beside_the_decision(
    approver_client, organizer, room, policy
):
    booking = book(organizer, room)

    content = approver_client.get(change_url(booking)).content.decode()

    decision = content.split('class="booking-decision"')[1].split("</div>")[0]
    assert "2026-12-09 Wed 10:00–11:00, Tencent A" in decision
    assert (
        "_meeting" not in content.split('id="booking-decision-heading"')[1].split("</section>")[0]
    )


def test_approving_one_meeting_of_a_series_leaves_the_others_pending(
    approver_client, approver, series
):
    _first, second, _third = meetings(series)

    response = approver_client.post(f"{meeting_url(series, second, 'approve')}?{KEPT}")

    assert response.status_code == 302
    assert response["Location"] == f"{change_url(series)}?{KEPT}"
    statuses = [o.status for o in meetings(series)]
    assert statuses == [Occurrence.Status.PENDING, Occurrence.Status.APPROVED, "pending"]
    event = AuditEvent.objects.get(action="booking.approved")
    assert event.actor == approver
    assert event.data["occurrences"] == [second.pk]
    assert "Approved the meeting of 2026-12-16 Wed 10:00–11:00." in texts(response)


def test_rejecting_one_meeting_asks_why_then_rejects_only_it(approver_client, series):
    first, second, _third = meetings(series)
    url = meeting_url(series, first, "reject")

    asked = approver_client.post(url)
    response = approver_client.post(url, {"confirm": "yes", "reason": "Holiday that week"})

    assert "admin/bookings/booking/reject_reason.html" in [t.name for t in asked.templates]
    assert "Only the meeting of 2026-12-09 Wed 10:00–11:00" in asked.content.decode()
    assert response.status_code == 302
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, first.reason) == (Occurrence.Status.REJECTED, "Holiday that week")
    assert second.status == Occurrence.Status.PENDING


def test_deciding_the_last_pending_meeting_returns_to_the_queue(approver_client, series):
    *others, last = meetings(series)
    for occurrence in others:
        approver_client.post(meeting_url(series, occurrence, "approve"))

    response = approver_client.post(f"{meeting_url(series, last, 'approve')}?{KEPT}")

    assert response["Location"] == f"{QUEUE}?{PENDING}"
    series.refresh_from_db()
    assert series.status == Booking.Status.APPROVED


def test_a_meeting_already_decided_is_refused_as_a_message_and_nothing_changes(
    approver_client, series
):
    first = meetings(series)[0]
    approver_client.post(meeting_url(series, first, "approve"))
    events = AuditEvent.objects.count()

    response = approver_client.post(
        meeting_url(series, first, "reject"), {"confirm": "yes", "reason": "Changed my mind"}
    )

    assert response.status_code == 302
    assert any("Nothing in this booking is waiting for a decision." in t for t in texts(response))
    first.refresh_from_db()
    assert first.status == Occurrence.Status.APPROVED
    assert AuditEvent.objects.count() == events


def test_a_meeting_of_another_booking_is_not_found(approver_client, organizer, room, series):
    other = book(organizer, room, at(3, "10:00"), at(3, "11:00"))

    response = approver_client.post(meeting_url(series, meetings(other)[0], "approve"))

    assert response.status_code == 404
    assert meetings(other)[0].status == Occurrence.Status.PENDING


@pytest.mark.parametrize("decision", ["approve", "reject"])
def test_a_meeting_decision_needs_a_post_with_the_csrf_token(client, approver, series, decision):
    client.handler.enforce_csrf_checks = True
    signed_in(client, approver)
    first = meetings(series)[0]

    got = client.get(meeting_url(series, first, decision))
    posted = client.post(meeting_url(series, first, decision), {"confirm": "yes", "reason": "x"})

    assert (got.status_code, posted.status_code) == (405, 403)
    first.refresh_from_db()
    assert first.status == Occurrence.Status.PENDING


def test_a_supervisor_cannot_decide_a_meeting(client, supervisor, series):
    signed_in(client, supervisor)
    first = meetings(series)[0]

    response = client.post(meeting_url(series, first, "approve"))

    assert response.status_code == 403
    first.refresh_from_db()
    assert first.status == Occurrence.Status.PENDING


# -- history ---------------------------------------------------------------------------------


def test_the_history_lists_the_request_and_the_rejection_with_who_and_why(
    approver_client, approver, organizer, room, policy
):
    booking = book(organizer, room)
    booking_reject(booking=booking, actor=approver, reason="Room reserved for the audit")

    content = approver_client.get(history_url(booking)).content.decode()

    assert "doesn’t have a change history" not in content
    rows = content.split("<tbody>")[1].split("</tbody>")[0].split("<tr>")[1:]
    assert "Booking requested" in rows[0]
    assert "Olga Organizer" in rows[0]
    assert "Booking rejected" in rows[1]
    assert str(approver) in rows[1]
    assert "Reason: Room reserved for the audit" in rows[1]
    assert "Quarterly review" not in content.split('<div id="content-main">')[0].split("<title>")[0]


def test_the_history_of_a_confidential_meeting_hides_its_reasons_from_who_may_not_see_it(
    client, staff_without_view_booking, approver, organizer, room, policy
):
    booking = book(organizer, room, confidential=True, topic="Merger talks")
    booking_reject(booking=booking, actor=approver, reason="Merger talks postponed")
    signed_in(client, staff_without_view_booking)

    content = client.get(history_url(booking)).content.decode()

    assert "Booking rejected" in content
    assert "Merger talks" not in content


def test_the_history_runs_a_fixed_number_of_queries(
    approver_client, approver, series, django_assert_max_num_queries
):
    url = history_url(series)
    approver_client.get(url)
    for occurrence in meetings(series):
        booking_reject(booking=series, actor=approver, reason="No", occurrence=occurrence)

    with django_assert_max_num_queries(10):
        approver_client.get(url)


# -- the room's name -------------------------------------------------------------------------


def test_a_rooms_name_is_translated_as_a_things_name_not_a_persons(monkeypatch):
    # The catalogue is compiled at the merge: the active one is given both words, as
    # locale/zh_Hans will hold them, to check that the room's column asks for the thing's.
    with translation.override("zh-hans"):
        catalog = trans_real.translation("zh-hans")
        monkeypatch.setattr(catalog, "_catalog", {"name": "姓名", "room\x04name": "名称"})

        assert str(Room._meta.get_field("name").verbose_name) == "名称"


def test_a_series_page_runs_no_more_queries_for_a_longer_series(
    approver_client, organizer, room, policy, django_assert_max_num_queries
):
    short = book(organizer, room, recurrence_rule={"freq": "weekly", "count": 2})
    long = book(
        organizer,
        room,
        at(3, "10:00"),
        at(3, "11:00"),
        recurrence_rule={"freq": "weekly", "count": 8},
    )
    with django_assert_max_num_queries(40) as measured:
        approver_client.get(change_url(short))

    with django_assert_max_num_queries(len(measured.captured_queries)):
        response = approver_client.get(change_url(long))

    assert response.content.decode().count("/meetings/") == 2 * 8
