"""BK-4 to BK-6, SE-5, X-2: each booking email is a subject, a text and an HTML body
rendered from templates/bookings/email/<kind>/ in the recipient's language and time
zone; what the recipient may read of the meeting is decided by `email_reveals`."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission
from django.core import mail

from bookings import services
from bookings.models import Booking
from bookings.notifications import KINDS, Recipient, email_render, email_reveals
from bookings.tasks import booking_notify_task
from tests.bookings.conftest import book
from tests.factories import RoomFactory, UserFactory

pytestmark = pytest.mark.django_db

# Each kind's heading, as its subject says it, in English and Chinese.
HEADINGS = {
    "requested": ("New booking request", "新的预约申请"),
    "changed": ("Booking change to review", "待审核的预约变更"),
    "approved": ("Booking confirmed", "预约确认"),
    "rejected": ("Booking rejected", "预约已驳回"),
    "cancelled": ("Meeting cancelled", "会议已取消"),
    "change_approved": ("Booking change approved", "预约变更已通过"),
    "change_rejected": ("Booking change rejected", "预约变更已驳回"),
    "no_show": ("No-show", "未签到（爽约）"),
    "invitation": ("Your meeting, with its link", "您的会议及其会议链接"),
    "uninvited": ("No longer invited", "已不再受邀"),
    "updated": ("Meeting updated", "会议已更新"),
}
# BK-10: these begin with a line of their own before the meeting's lines.
WITH_INTRO = ("invitation", "uninvited", "updated")
# The kinds whose body is the meeting's lines alone; the others say something first
# (tests/bookings/test_emails_provider_failed.py, WITH_INTRO).
MEETING_LINES_KINDS = tuple(k for k in HEADINGS if k not in WITH_INTRO)
# Wednesday 10:00–11:00 in Shanghai (the company's zone), as each reader's zone shows it.
READERS = {
    "en": ("Europe/Berlin", "2026-12-09 03:00–04:00 (CET)", "Meeting topic: ", "Reason: "),
    "zh-hans": ("America/New_York", "2026-12-08 21:00–22:00 (EST)", "会议主题：", "原因："),
}
GUEST = "guest@partner.example"
REASON = "Client postponed"


@pytest.fixture
def guest_room(db):
    return RoomFactory(name="Tencent Guests", capacity=10, allows_external_guests=True)


@pytest.fixture
def invitee(db):
    return UserFactory(email="invitee@example.com")


@pytest.fixture
def own_permission_approver(db):
    """Decides requests by a permission of their own, but does not oversee bookings."""
    user = UserFactory(email="own-approver@example.com")
    user.user_permissions.add(Permission.objects.get(codename="approve_booking"))
    return user


def meeting(organizer, room, approver, *, invitee, topic="Quarterly review", **extra) -> Booking:
    """An approved meeting (so it has its link) with an invitee and an external guest."""
    booking = book(
        organizer,
        room,
        topic=topic,
        attendee_users=[invitee],
        attendee_emails=[GUEST],
        **extra,
    )
    return services.booking_approve(booking=booking, actor=approver)


def reader(person, language: str = "en", zone: str = "Europe/Berlin") -> Recipient:
    """`person` (a user, or an external guest's address) reading in `language`/`zone`."""
    if isinstance(person, str):
        return Recipient(person, None, language, zone)
    return Recipient(person.email, person, language, zone)


def render(booking: Booking, kind: str, to: Recipient, reason: str = REASON):
    return email_render(
        booking=booking,
        kind=kind,
        occurrences=list(booking.occurrences.order_by("start")),
        reason=reason,
        to=to,
    )


# -- every kind, in both languages and a zone of the reader's own -------------------------


@pytest.mark.parametrize("language", READERS)
@pytest.mark.parametrize("kind", MEETING_LINES_KINDS)
def test_each_kind_renders_in_the_readers_language_and_zone(
    organizer, guest_room, approver, invitee, kind, language
):
    zone, local_time, topic_label, reason_label = READERS[language]
    booking = meeting(organizer, guest_room, approver, invitee=invitee)

    email = render(booking, kind, reader(organizer, language, zone))

    heading = HEADINGS[kind][0 if language == "en" else 1]
    colon = ": " if language == "en" else "："
    assert email.subject == f"[MeetingOps] {heading}{colon}Quarterly review"
    first = 2 if kind in WITH_INTRO else 0
    assert email.text.splitlines()[first] == f"{topic_label}Quarterly review"
    assert f"  {local_time}" in email.text.splitlines()
    assert f"{reason_label}{REASON}" in email.text
    assert f'<html lang="{language}">' in email.html
    assert f"{heading}{colon}Quarterly review</h1>" in email.html
    assert f"{topic_label}Quarterly review" in email.html
    assert f"<li>{local_time}</li>" in email.html
    assert f"{reason_label}{REASON}" in email.html


@pytest.mark.parametrize(
    "kind", [k for k in MEETING_LINES_KINDS if k not in ("approved", "change_approved")]
)
def test_the_text_body_is_the_lines_of_the_meeting_and_nothing_else(
    organizer, guest_room, approver, invitee, kind
):
    booking = meeting(organizer, guest_room, approver, invitee=invitee)

    email = render(booking, kind, reader(invitee), reason="")

    lines = (
        "Meeting topic: Quarterly review\n"
        "Online meeting room: Tencent Guests\n"
        "Organizer: Olga Organizer\n"
        "  2026-12-09 03:00–04:00 (CET)"
    )
    # BK-13: a no-show's email says, after the meeting, what happened and why.
    after = {"no_show": "\n\nYour meeting was recorded as a no-show: you had not signed in"}
    assert email.text.startswith(lines + after.get(kind, ""))
    if kind not in after:
        assert email.text == lines


# -- the reason and the link -------------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("audience", ["organizer", "invitee", "guest", "approver"])
def test_the_meeting_link_is_for_its_people_once_the_meeting_is_approved_moved_or_sent(
    organizer, guest_room, approver, invitee, kind, audience
):
    booking = meeting(organizer, guest_room, approver, invitee=invitee)
    person = {"organizer": organizer, "invitee": invitee, "guest": GUEST, "approver": approver}

    email = render(booking, kind, reader(person[audience]))

    assert booking.join_url.startswith("https://")
    with_link = ("approved", "change_approved", "invitation", "updated")
    shown = audience != "approver" and kind in with_link
    assert (booking.join_url in email.text) is shown
    assert (booking.join_url in email.html) is shown
    assert (f'<a href="{booking.join_url}">' in email.html) is shown


@pytest.mark.parametrize("audience", ["organizer", "invitee", "guest"])
def test_an_approvers_note_on_a_change_is_for_the_organizer_and_a_cancellation_for_all(
    organizer, guest_room, approver, invitee, audience
):
    booking = meeting(organizer, guest_room, approver, invitee=invitee)
    person = {"organizer": organizer, "invitee": invitee, "guest": GUEST}[audience]

    change = render(booking, "change_approved", reader(person), reason="Moved as asked")
    cancellation = render(booking, "cancelled", reader(person), reason="Client postponed")

    assert ("Moved as asked" in change.text) is (audience == "organizer")
    assert ("Moved as asked" in change.html) is (audience == "organizer")
    assert "Reason: Client postponed" in cancellation.text
    assert "Reason: Client postponed" in cancellation.html


def test_a_reason_over_several_lines_keeps_them_in_both_bodies(
    organizer, guest_room, approver, invitee
):
    booking = meeting(organizer, guest_room, approver, invitee=invitee)

    email = render(booking, "cancelled", reader(invitee), reason="The client moved.\nSorry.")

    assert "Reason: The client moved.\nSorry." in email.text
    assert "Reason: The client moved.<br>Sorry." in email.html


# -- SE-5: a confidential meeting ---------------------------------------------------------


@pytest.mark.parametrize(
    ("audience", "sees"),
    [
        ("organizer", True),
        ("invitee", True),
        ("guest", True),
        ("approver by group", True),  # the Approvers oversee bookings
        ("superuser", True),
        ("approver by own permission", False),
        ("someone not invited", False),
    ],
)
@pytest.mark.parametrize("kind", KINDS)
def test_a_confidential_meetings_topic_reason_and_link_only_for_who_may_see_it(
    organizer, guest_room, approver, invitee, own_permission_approver, kind, audience, sees
):
    booking = meeting(
        organizer, guest_room, approver, invitee=invitee, topic="Merger talks", confidential=True
    )
    person = {
        "organizer": organizer,
        "invitee": invitee,
        "guest": GUEST,
        "approver by group": approver,
        "superuser": UserFactory(is_superuser=True),
        "approver by own permission": own_permission_approver,
        "someone not invited": UserFactory(),
    }[audience]

    for language, hidden in (("en", "Confidential meeting"), ("zh-hans", "保密会议")):
        email = render(booking, kind, reader(person, language), reason="Merger is off")

        for part in (email.subject, email.text, email.html):
            assert ("Merger talks" in part) is sees
            assert (hidden in part) is not sees
        assert "Tencent Guests" in email.text  # the room and times, as the week shows them
        assert "Tencent Guests" in email.html
        if not sees:
            assert "Merger is off" not in email.text + email.html
            assert booking.join_url not in email.text + email.html


@pytest.mark.parametrize("confidential", [False, True])
def test_email_reveals_tells_what_the_reader_may_see(
    organizer, guest_room, approver, invitee, confidential
):
    booking = meeting(organizer, guest_room, approver, invitee=invitee, confidential=confidential)
    outsider = reader(UserFactory())

    reveals = email_reveals(recipient=outsider, booking=booking, kind="cancelled")

    assert reveals.details is not confidential
    assert reveals.reason is not confidential
    assert reveals.join_link is False
    to_organizer = email_reveals(recipient=reader(organizer), booking=booking, kind="approved")
    assert (to_organizer.details, to_organizer.reason, to_organizer.join_link) == (
        True,
        True,
        True,
    )


def test_an_invitation_that_was_withdrawn_no_longer_reveals_a_confidential_meeting(
    organizer, guest_room, approver, invitee
):
    booking = meeting(
        organizer, guest_room, approver, invitee=invitee, topic="Merger talks", confidential=True
    )
    booking.attendees.update(is_active=False)

    for person in (invitee, GUEST):
        email = render(booking, "cancelled", reader(person))
        assert "Merger talks" not in email.subject + email.text + email.html


# -- escaping and the one-line subject ---------------------------------------------------


def test_the_html_body_escapes_what_people_typed_and_the_text_keeps_it_as_typed(
    organizer, guest_room, approver, invitee
):
    booking = meeting(organizer, guest_room, approver, invitee=invitee, topic="<b>x</b> & co")

    email = render(booking, "cancelled", reader(invitee), reason="<script>alert(1)</script>")

    assert "<b>x</b>" not in email.html
    assert "<script>" not in email.html
    assert "Meeting topic: &lt;b&gt;x&lt;/b&gt; &amp; co" in email.html
    assert "Reason: &lt;script&gt;alert(1)&lt;/script&gt;" in email.html
    assert email.subject == "[MeetingOps] Meeting cancelled: <b>x</b> & co"
    assert "Meeting topic: <b>x</b> & co" in email.text
    assert "Reason: <script>alert(1)</script>" in email.text


@pytest.mark.parametrize("kind", KINDS)
def test_a_topic_stored_with_line_breaks_gives_a_one_line_subject(
    organizer, guest_room, approver, invitee, kind
):
    booking = meeting(organizer, guest_room, approver, invitee=invitee)
    # A row written before topics were checked for control characters.
    Booking.objects.filter(pk=booking.pk).update(topic="Line one\r\nLine two\n")
    booking.refresh_from_db()

    email = render(booking, kind, reader(organizer))

    assert "\r" not in email.subject
    assert "\n" not in email.subject
    assert email.subject.endswith(": Line one Line two")


# -- sent as one message: text, with the HTML as its alternative -------------------------


def test_each_email_is_sent_as_text_with_an_html_alternative(
    organizer, guest_room, approver, invitee, eager_tasks
):
    booking = meeting(organizer, guest_room, approver, invitee=invitee)
    Booking.objects.filter(pk=booking.pk).update(topic="Line one\r\nLine two")

    booking_notify_task.delay(booking_id=booking.pk, kind="cancelled", reason=REASON)

    assert sorted(m.to[0] for m in mail.outbox) == sorted([organizer.email, invitee.email, GUEST])
    for message in mail.outbox:
        assert message.subject == "[MeetingOps] 会议已取消：Line one Line two"
        assert message.body.startswith("会议主题：Line one\r\nLine two\n")
        ((html, mimetype),) = message.alternatives
        assert mimetype == "text/html"
        assert "<li>2026-12-09 10:00–11:00 (CST)</li>" in html
        assert "原因：Client postponed" in html
        assert "\r" not in message.message()["Subject"]
