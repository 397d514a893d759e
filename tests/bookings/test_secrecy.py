"""SE-5, decided by bookings/secrecy.py: the Python predicate, the ORM form that lists
use, the Python and SQL forms of the week, and what one booking shows, held to the same
answers for every kind of viewer, confidential meeting or not; and what an email may
tell its recipient."""

from __future__ import annotations

import json

import pytest
from django.contrib.auth.models import AnonymousUser, Permission
from django.db import connection
from rest_framework.test import APIClient

from bookings import secrecy, selectors
from bookings.models import Booking
from bookings.notifications import KINDS
from bookings.secrecy import Sight
from bookings.services import booking_approve
from tests.bookings.conftest import MONDAY, at, book
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

VIEWERS = (
    "anonymous",
    "organizer",
    "invitee",
    "removed invitee",
    "approver",
    "overseer",
    "stranger",
    "superuser",
)
# Who reads a confidential meeting's details; everyone reads an open one's.
SEES_CONFIDENTIAL = {"organizer", "invitee", "approver", "overseer", "superuser"}
# Who may open a booking at all (its record, the API's detail), confidential or not.
OPENS = SEES_CONFIDENTIAL


@pytest.fixture
def cast(organizer, approver):
    """The viewers by name, an invitee and a removed one among them."""
    overseer = UserFactory(email="overseer@example.com")
    overseer.user_permissions.add(Permission.objects.get(codename="view_booking"))
    return {
        "anonymous": AnonymousUser(),
        "organizer": organizer,
        "invitee": UserFactory(email="invitee@example.com"),
        "removed invitee": UserFactory(email="removed@example.com"),
        "approver": approver,
        "overseer": overseer,
        "stranger": UserFactory(email="stranger@example.com"),
        "superuser": UserFactory(email="root@example.com", is_superuser=True, is_staff=True),
    }


@pytest.fixture(params=[False, True], ids=["open", "confidential"])
def meeting(request, cast, room, policy) -> Booking:
    booking = book(
        cast["organizer"],
        room,
        at(2, "10:00"),
        at(2, "11:00"),
        topic="Merger talks",
        confidential=request.param,
        attendee_users=[cast["invitee"], cast["removed invitee"]],
    )
    booking.attendees.filter(user=cast["removed invitee"]).update(is_active=False)
    return booking


def fresh(viewer):
    """The viewer as a new request would load it: no permission cache carried over."""
    if not viewer.is_authenticated:
        return viewer
    return type(viewer).objects.get(pk=viewer.pk)


def expected_details(role: str, booking: Booking) -> bool:
    return not booking.confidential or role in SEES_CONFIDENTIAL


def sql_hidden(viewer, booking: Booking) -> bool:
    """The SQL form, over the meeting's copies, as the week's raw SQL uses it."""
    hidden = secrecy.details_hidden_sql(
        confidential="o.confidential", organizer_id="o.organizer_id", booking_id="o.booking_id"
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {hidden} FROM bookings_occurrence o WHERE o.booking_id = %(booking)s",  # noqa: S608
            {**secrecy.details_hidden_sql_params(viewer), "booking": booking.pk},
        )
        (row,) = cursor.fetchall()
    return bool(row[0])


def week_meeting(viewer, *, as_json: bool) -> dict:
    if as_json:
        rooms = json.loads(selectors.occupancy_for_week_json(week_start=MONDAY, viewer=viewer))
    else:
        rooms = selectors.occupancy_for_week(week_start=MONDAY, viewer=viewer)
    (meeting,) = [o for room in rooms for o in room["occurrences"]]
    return meeting


@pytest.mark.parametrize("role", VIEWERS)
def test_every_form_of_the_rule_gives_the_same_answer(cast, meeting, role):
    expected = expected_details(role, meeting)
    viewer = cast[role]

    predicate = secrecy.can_see_details(fresh(viewer), meeting)
    listed = Booking.objects.filter(secrecy.details_visible_q(fresh(viewer)), pk=meeting.pk)
    annotated = (
        Booking.objects.annotate(seen=secrecy.details_visible_expression(fresh(viewer)))
        .values_list("seen", flat=True)
        .get(pk=meeting.pk)
    )
    queue_row = selectors.booking_list_for_review(actor=fresh(viewer)).get(pk=meeting.pk)
    hidden_ids = secrecy.booking_list_with_details_hidden_from(fresh(viewer)).values_list(
        "pk", flat=True
    )
    in_bulk = secrecy.details_hidden_among(
        [(meeting.pk, meeting.confidential, meeting.organizer_id)],
        viewer=fresh(viewer),
        invited_booking_ids=lambda: list(
            secrecy.active_invitations(viewer).values_list("booking_id", flat=True)
        ),
    )
    prefetched = Booking.objects.prefetch_related("attendees", "occurrences").get(pk=meeting.pk)

    assert predicate is expected
    assert listed.exists() is expected
    assert bool(annotated) is expected
    assert bool(queue_row.details_visible) is expected
    assert (queue_row.visible_topic == "Merger talks") is expected
    assert (meeting.pk not in set(hidden_ids)) is expected
    assert (meeting.pk not in in_bulk) is expected
    assert sql_hidden(fresh(viewer), meeting) is not expected
    assert secrecy.booking_access(booking=prefetched, viewer=fresh(viewer)).details is expected


@pytest.mark.parametrize("as_json", [False, True], ids=["rows", "json"])
@pytest.mark.parametrize("role", sorted(set(VIEWERS) - {"anonymous"}))
def test_the_week_shows_the_details_or_only_a_taken_slot(cast, meeting, role, as_json):
    """The week's rows (Python) and its JSON (on PostgreSQL the database writes it,
    with the SQL form) mask the same meetings."""
    shown = week_meeting(fresh(cast[role]), as_json=as_json)

    if expected_details(role, meeting):
        assert (shown["topic"], shown["booking"]) == ("Merger talks", meeting.pk)
    else:
        assert (shown["topic"], shown["booking"]) == (None, None)
    assert shown["confidential"] is meeting.confidential


@pytest.mark.parametrize("role", VIEWERS)
def test_a_person_sees_all_of_a_meeting_a_taken_slot_or_nothing(cast, meeting, role):
    sight = secrecy.meeting_sight(fresh(cast[role]), meeting)

    if role == "anonymous":
        assert sight is Sight.NOTHING
    elif expected_details(role, meeting):
        assert sight is Sight.DETAILS
    else:
        assert sight is Sight.BUSY


@pytest.mark.parametrize("role", VIEWERS)
def test_a_booking_opens_to_its_organizer_its_invitees_and_overseers(cast, meeting, role):
    viewer = fresh(cast[role])

    listed = secrecy.booking_list_visible_to(viewer).filter(pk=meeting.pk).exists()
    fetched = selectors.booking_get_visible(booking_id=meeting.pk, viewer=viewer)

    assert listed is (role in OPENS)
    assert (fetched is not None) is (role in OPENS)


@pytest.mark.parametrize("role", VIEWERS)
def test_the_week_is_shut_to_someone_not_signed_in_and_open_to_the_others(cast, meeting, role):
    client = APIClient()
    if role != "anonymous":
        client.force_login(cast[role])

    response = client.get("/api/v1/availability/week/", {"start": MONDAY.isoformat()})

    if role == "anonymous":
        assert response.status_code in (401, 403)
        return
    (shown,) = [o for room in response.json()["rooms"] for o in room["occurrences"]]
    assert (shown["topic"] == "Merger talks") is expected_details(role, meeting)


@pytest.mark.parametrize("approved", [False, True], ids=["pending", "approved"])
@pytest.mark.parametrize("role", VIEWERS)
def test_the_join_link_is_for_the_people_of_an_approved_meeting_guest_emails_for_its_organizer(
    cast, meeting, approver, role, approved
):
    if approved:
        booking_approve(booking=meeting, actor=approver)
    prefetched = Booking.objects.prefetch_related("attendees", "occurrences").get(pk=meeting.pk)

    access = secrecy.booking_access(booking=prefetched, viewer=fresh(cast[role]))

    assert access.join is (approved and role in {"organizer", "invitee"})
    assert access.guest_emails is (role == "organizer")


def test_the_week_asks_for_invitations_only_when_one_could_decide(cast, meeting):
    asked = []

    def invitations():
        asked.append(True)
        return []

    meetings = [(meeting.pk, meeting.confidential, meeting.organizer_id)]
    for role in ("organizer", "overseer"):
        secrecy.details_hidden_among(meetings, viewer=cast[role], invited_booking_ids=invitations)
    hidden = secrecy.details_hidden_among(
        meetings, viewer=cast["stranger"], invited_booking_ids=invitations
    )

    assert asked == ([True] if meeting.confidential else [])
    assert hidden == ({meeting.pk} if meeting.confidential else set())


# -- emails --------------------------------------------------------------------------------

RECIPIENTS = {
    "organizer": {"is_organizer": True},
    "approver": {"oversees": True},
    "invitee": {"is_invitee": True},
    "external guest": {"is_invitee": True, "is_external_guest": True},
}


@pytest.mark.parametrize("confidential", [False, True])
@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("recipient", RECIPIENTS)
def test_an_email_shows_the_reason_to_all_told_but_a_change_note_and_the_link_to_its_people(
    recipient, kind, confidential
):
    facts = {"is_organizer": False, **RECIPIENTS[recipient]}

    reveals = secrecy.email_reveals(kind=kind, confidential=confidential, **facts)

    assert reveals.details is True  # each of these may read the meeting
    assert reveals.reason is (recipient == "organizer" or kind != "change_approved")
    assert reveals.join_link is (
        recipient != "approver" and kind in ("approved", "change_approved", "invitation", "updated")
    )
    assert reveals.colleague_emails is (recipient in ("organizer", "invitee"))
    assert reveals.guest_emails is (recipient == "organizer")


def test_an_email_to_someone_who_may_not_see_a_confidential_meeting_reveals_nothing():
    reveals = secrecy.email_reveals(kind="cancelled", confidential=True, is_organizer=False)
    told = secrecy.email_reveals(kind="cancelled", confidential=False, is_organizer=False)

    assert reveals == secrecy.EmailReveals(details=False, reason=False, join_link=False)
    assert secrecy.email_reveals(
        kind="feed", confidential=True, is_organizer=True
    ) == secrecy.EmailReveals(details=False, reason=False, join_link=False)
    assert told == secrecy.EmailReveals(details=True, reason=True, join_link=False)
