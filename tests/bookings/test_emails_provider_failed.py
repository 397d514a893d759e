"""BK-17: the organizer's confirmation of a Tencent Meeting or Zoom room's meeting says
its link follows; and their email when the meeting could not be scheduled, in their
language and zone, says the booking stands and the link follows, its topic only for who
may read it (SE-5), and never a link."""

from __future__ import annotations

import pytest
from django.utils import translation
from django.utils.translation import gettext

from bookings import services
from bookings.notifications import Recipient, email_render
from tests.bookings.conftest import book
from tests.bookings.remote_fakes import remote_room, tencent_provider

pytestmark = pytest.mark.django_db

HEADING = "The meeting link is delayed: %(topic)s"


def rendered(booking, person, language="en", zone="Europe/Berlin"):
    return email_render(
        booking=booking,
        kind="provider_failed",
        occurrences=list(booking.occurrences.order_by("start")),
        reason="",
        to=Recipient(person.email, person, language, zone),
    )


@pytest.fixture
def approved(organizer, approver, policy):
    booking = book(organizer, remote_room(tencent_provider()))
    services.booking_approve(booking=booking, actor=approver)
    booking.refresh_from_db()
    return booking


def test_it_says_the_booking_stands_and_the_link_follows(approved, organizer):
    email = rendered(approved, organizer)
    assert email.subject == "[MeetingOps] The meeting link is delayed: Quarterly review"
    assert email.text.startswith("Your booking is approved, but the online meeting could not")
    assert "You need not book again." in email.html
    assert "  2026-12-09 03:00–04:00 (CET)" in email.text.splitlines()
    assert "http" not in email.text  # no link: there is none yet


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_it_is_in_the_readers_language(approved, organizer, language):
    email = rendered(approved, organizer, language=language, zone="Asia/Shanghai")
    with translation.override(language):
        heading = gettext(HEADING) % {"topic": "Quarterly review"}
    assert email.subject == f"[MeetingOps] {heading}"
    assert f'<html lang="{language}">' in email.html


def test_a_confidential_topic_is_hidden_from_who_may_not_read_it(organizer, approver, policy):
    from tests.factories import UserFactory

    booking = book(organizer, remote_room(tencent_provider()), topic="Merger", confidential=True)
    outsider = UserFactory(email="outsider@example.com")
    assert "Merger" in rendered(booking, organizer).subject
    assert "Merger" not in rendered(booking, outsider).subject


def test_the_organizers_confirmation_says_the_link_follows(approved, organizer):
    email = email_render(
        booking=approved,
        kind="approved",
        occurrences=list(approved.occurrences.all()),
        reason="",
        to=Recipient(organizer.email, organizer, "en", "Asia/Shanghai"),
    )
    follows = "The meeting link follows as soon as the room’s provider has scheduled the meeting."
    assert follows in email.text
    assert follows in email.html
    approved.join_url = "https://meeting.tencent.com/dm/x1"
    email = email_render(
        booking=approved,
        kind="approved",
        occurrences=list(approved.occurrences.all()),
        reason="",
        to=Recipient(organizer.email, organizer, "en", "Asia/Shanghai"),
    )
    assert follows not in email.text
    assert "Meeting link: https://meeting.tencent.com/dm/x1" in email.text
