"""BK-11, BK-13: the signed links in invitations and reminders, with which a participant
answers or signs in with one click, with or without an account (external guests have
none).

A link names one participant (one person in one meeting) and one purpose, signed with
the site's SECRET_KEY, so it cannot be forged or turned to another meeting or person.
It holds no expiry of its own: it is checked against the meeting as it stands when it
is used, so it works until the meeting's end (a meeting moved later keeps its links)
and stops when the person is removed. A link shows its holder that one meeting only."""

from __future__ import annotations

from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bookings.models import Participant
from meetingops.errors import ApplicationError

ANSWER = "answer"
SIGN_IN = "sign_in"
_PURPOSES = (ANSWER, SIGN_IN)
_SALT = "meetingops.participant-link"


class LinkInvalid(ApplicationError):
    code = "link_invalid"
    status = 404


class LinkExpired(ApplicationError):
    code = "link_expired"
    status = 410


def participant_token(participant: Participant, purpose: str) -> str:
    if purpose not in _PURPOSES:
        raise ValueError(f"Unknown link purpose: {purpose!r}")
    return signing.dumps({"p": participant.pk, "u": purpose}, salt=_SALT, compress=True)


def participant_from_token(token: str, purpose: str) -> Participant:
    """The participant a link names, for `purpose`, while it holds: LinkInvalid when the
    link was not made here for that purpose or its person is no longer invited,
    LinkExpired once the meeting has ended."""
    not_valid = _("This link is not valid. Open the meeting from your latest invitation.")
    try:
        data = signing.loads(token, salt=_SALT)
    except signing.BadSignature:
        raise LinkInvalid(not_valid) from None
    if not isinstance(data, dict) or data.get("u") != purpose:
        raise LinkInvalid(not_valid)
    participant = (
        Participant.objects.select_related("occurrence", "booking__room", "booking__organizer")
        .filter(pk=data.get("p"))
        .first()
    )
    if participant is None or not participant.is_active:
        raise LinkInvalid(_("You are no longer invited to this meeting."))
    if participant.occurrence.end <= timezone.now():
        raise LinkExpired(_("This meeting has ended, so its link no longer works."))
    return participant


def absolute(path: str) -> str:
    """A path of this site as an address people can open from an email or a calendar."""
    return f"{settings.SITE_URL}{path}"


def answer_url(participant: Participant, response: str = "") -> str:
    """The one-click answer link; `response` (accepted, tentative, declined) preselects
    the answer on the page it opens."""
    path = reverse("bookings:answer_link", args=[participant_token(participant, ANSWER)])
    return absolute(f"{path}?response={response}" if response else path)


def sign_in_url(participant: Participant) -> str:
    path = reverse("bookings:sign_in_link", args=[participant_token(participant, SIGN_IN)])
    return absolute(path)
