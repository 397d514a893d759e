"""BK-13: signing in to a meeting, from the meeting page (and the home page's button
beside Join) and from the reminder's signed link (`bookings.links`), which works
without an account. Each is a plain POST that works without JavaScript; the rule
(the window, the person, a second sign-in) is `bookings.services.attendance`'s.

The link shows its holder that one meeting and only what an invitee may read of it: its
topic, time, room, organizer and how to join, never the other people invited. A link
that is not valid (or whose person is no longer invited) is a 404 page, one whose
meeting has ended a 410 page, both in the site's look."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from bookings import links, rules, secrecy, selectors
from bookings.models import Occurrence, Participant
from bookings.services.attendance import participant_sign_in
from meetingops.errors import ApplicationError


@login_required
@require_POST
def meeting_sign_in(request: HttpRequest, booking_id: int) -> HttpResponse:
    """POST `occurrence`: the signed-in user signs in to that meeting of the booking;
    back to the meeting page, or to the home page with `back=home`."""
    booking = selectors.booking_get_visible(booking_id=booking_id, viewer=request.user)
    if booking is None:
        raise Http404(_("There is no such booking, or it is not yours to see."))
    participant = selectors.participant_for_sign_in(
        booking=booking, occurrence_id=request.POST.get("occurrence"), user=request.user
    )
    if participant is None:
        raise Http404(_("You are not invited to this meeting. Ask its organizer to invite you."))
    try:
        participant = participant_sign_in(participant=participant, actor=request.user, via="page")
    except ApplicationError as error:
        messages.error(request, error.detail)
    else:
        messages.success(
            request,
            _("You are signed in (%(time)s).")
            % {"time": timezone.localtime(participant.signed_in_at).strftime("%H:%M")},
        )
    if request.POST.get("back") == "home":
        return redirect("home")
    return redirect("bookings:meeting", booking_id=booking.pk)


def _unindexed(response: HttpResponse) -> HttpResponse:
    """The link's pages are its holder's alone: never in a search engine's index."""
    response["X-Robots-Tag"] = "noindex"
    return response


def _link_refused(request: HttpRequest, error: ApplicationError) -> HttpResponse:
    return _unindexed(
        render(
            request,
            "bookings/pages/sign_in_link_refused.html",
            {"error": error, "expired": isinstance(error, links.LinkExpired)},
            status=error.status,
        )
    )


@never_cache
@require_http_methods(["GET", "POST"])
def sign_in_link(request: HttpRequest, token: str) -> HttpResponse:
    """The reminder's one-click sign-in: GET shows the meeting with a Sign in button,
    POST signs in. No account needed: the link names the person."""
    try:
        participant = links.participant_from_token(token, links.SIGN_IN)
    except (links.LinkInvalid, links.LinkExpired) as error:
        return _link_refused(request, error)
    error = None
    if request.method == "POST":
        try:
            participant = participant_sign_in(
                participant=participant, actor=request.user, via="link"
            )
        except ApplicationError as refused:
            error = refused.detail
        else:
            return redirect("bookings:sign_in_link", token=token)
    occurrence, booking = participant.occurrence, participant.booking
    opens, closes = rules.sign_in_window(
        start=occurrence.start, end=occurrence.end, policy=rules.policy_current()
    )
    now = timezone.now()
    approved = occurrence.status == Occurrence.Status.APPROVED
    # SE-5: the link's holder is this participant, and reads what the reminder told
    # them: the details, and how to join an approved meeting; never who else is invited.
    reveals = secrecy.reminder_reveals(
        confidential=booking.confidential,
        is_organizer=participant.role == Participant.Role.ORGANIZER,
        is_participant=participant.is_active,
        meeting_approved=approved,
    )
    join = reveals.join_link
    response = render(
        request,
        "bookings/pages/sign_in_link.html",
        {
            "participant": participant,
            "occurrence": occurrence,
            "topic": booking.topic if reveals.details else _("Confidential meeting"),
            "confidential": booking.confidential,
            "room": booking.room.name,
            "organizer": booking.organizer.get_full_name(),
            "join_url": booking.join_url if join else "",
            "meeting_code": booking.meeting_code if join else "",
            "meeting_password": booking.meeting_password if join else "",
            "opens": opens,
            "is_open": approved and opens <= now < closes,
            "not_yet": approved and now < opens,
            "approved": approved,
            "error": error,
            "token": token,
        },
        status=409 if error else 200,
    )
    return _unindexed(response)


urlpatterns = [
    path("sign-in/<str:token>/", sign_in_link, name="sign_in_link"),
    path("meetings/<int:booking_id>/sign-in/", meeting_sign_in, name="meeting_sign_in"),
]
