"""BK-11: answering an invitation from its one-click signed link (`bookings.links`),
which works for external guests without an account. (The meeting page's answer is
`bookings.views.meeting.meeting_answer`.)

A GET never changes anything: mail scanners open links. It shows the link's one
meeting, as an invitee may see it, with the answer the link chose (`?response=`)
preselected and one button; the POST (a CSRF-protected form) records it. The link names
the participant, so it answers for that person and that meeting only; it is a 404 page
when it is not valid (forged, or the person no longer invited), a 410 page after the
meeting's end."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from bookings import links, secrecy, selectors, services
from bookings.forms.answers import SCOPE_CHOICES, AnswerForm
from bookings.models import Occurrence, Participant
from bookings.services.answers import ANSWERS, SCOPE_FOLLOWING, VIA_LINK
from meetingops.errors import ApplicationError

S = Occurrence.Status


def _refused(request: HttpRequest, error: ApplicationError) -> HttpResponse:
    gone = isinstance(error, links.LinkExpired)
    response = render(
        request,
        "bookings/pages/answer_link_error.html",
        {"message": error.detail, "gone": gone},
        status=error.status,
    )
    response["X-Robots-Tag"] = "noindex"
    return response


def _form(request: HttpRequest, participant: Participant, following: int) -> AnswerForm:
    chosen = request.GET.get("response", "")
    current = participant.response
    initial = {
        "response": chosen if chosen in ANSWERS else ("" if current == "needs_action" else current),
        "reason": participant.response_reason,
    }
    form = AnswerForm(
        request.POST if request.method == "POST" else None,
        meetings=[participant],
        series=following > 0,
        initial=initial,
    )
    # The link names its meeting: whatever a form says of another is not asked.
    del form.fields["occurrence"]
    if following:
        labels = dict(SCOPE_CHOICES)
        form.fields["scope"].choices = [
            ("one", labels["one"]),
            (
                SCOPE_FOLLOWING,
                ngettext(
                    "This meeting and the %(count)d later meeting of the series",
                    "This meeting and the %(count)d later meetings of the series",
                    following,
                )
                % {"count": following},
            ),
        ]
    return form


@never_cache
@require_http_methods(["GET", "POST"])
def answer_link(request: HttpRequest, token: str) -> HttpResponse:
    try:
        participant = links.participant_from_token(token, links.ANSWER)
    except (links.LinkInvalid, links.LinkExpired) as error:
        return _refused(request, error)
    booking, occurrence = participant.booking, participant.occurrence
    now = timezone.now()
    # Whether the page offers the form; whether an answer is taken is the service's.
    answerable = (
        participant.role != Participant.Role.ORGANIZER
        and occurrence.status == S.APPROVED
        and occurrence.start > now
    )
    following = (
        selectors.participant_following_count(participant=participant, now=now) if answerable else 0
    )
    form = _form(request, participant, following)
    if request.method == "POST" and form.is_valid():
        try:
            answered = services.participant_answer(
                participant=participant,
                response=form.cleaned_data["response"],
                reason=form.cleaned_data["reason"],
                scope=form.cleaned_data.get("scope") or "one",
                actor=None,
                via=VIA_LINK,
            )
        except ApplicationError as error:
            if answerable:
                form.add_application_error(error)
            else:  # the page shows no form to hold it: the service's refusal, as a message
                messages.error(request, error.detail)
        else:
            messages.success(
                request,
                _("Thank you: your answer is recorded (%(answer)s). The organizer is told.")
                % {"answer": answered.participants[0].get_response_display().lower()},
            )
            return redirect(request.path)
    participant.refresh_from_db(fields=["response", "response_reason"])
    # SE-5: the holder of the link is an invitee of this meeting, and sees what one may.
    details = secrecy.sees_details(
        confidential=booking.confidential,
        is_organizer=False,
        oversees=False,
        is_invited=participant.is_active,
    )
    response = render(
        request,
        "bookings/pages/answer_link.html",
        {
            "participant": participant,
            "booking": booking,
            "occurrence": occurrence,
            "details": details,
            "answerable": answerable,
            "started": occurrence.start <= now,
            "form": form,
        },
    )
    response["X-Robots-Tag"] = "noindex"
    return response


urlpatterns = [
    path("invitation/<str:token>/", answer_link, name="answer_link"),
]
