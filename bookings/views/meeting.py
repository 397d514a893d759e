"""A meeting's page and its organizer's actions (BK-5 to BK-7), each a plain GET/POST
page that works without JavaScript: change, cancel (all or one meeting of a series, after
a confirmation), add people and remove one (after a confirmation); an invitee's answer
and, for the organizer, who comes (BK-11).

A booking the viewer may not open is a 404, as for one that does not exist, exactly as
the API's `BookingResourceApi` answers (`selectors.booking_get_visible`); what the page
shows of it is `bookings.secrecy.booking_access`'s to say. Every write is a service's;
its refusal is shown next to the field it concerns, with what was typed kept."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from bookings import secrecy, selectors, services
from bookings.forms.answers import AnswerForm
from bookings.forms.meeting import (
    AttendeeRemoveForm,
    AttendeesAddForm,
    MeetingCancelForm,
    MeetingChangeForm,
)
from bookings.models import Booking, Occurrence, Participant, Room
from bookings.permissions import can_change
from bookings.providers import link_comes_later
from meetingops.errors import ApplicationError
from security.calendar_feeds import calendar_feed_get, feed_links

S = Occurrence.Status


def _visible(request: HttpRequest, booking_id: int) -> Booking:
    """404 for a booking the user may not look at, as for one that does not exist."""
    booking = selectors.booking_get_visible(booking_id=booking_id, viewer=request.user)
    if booking is None:
        raise Http404(_("There is no such booking, or it is not yours to see."))
    return booking


def _managed(request: HttpRequest, booking_id: int) -> Booking:
    """The booking, for a page of the organizer's actions: 404 as `_visible`, 403 for
    someone who may open the booking but not change it (the service would refuse)."""
    booking = _visible(request, booking_id)
    if not can_change(request.user, booking):
        raise PermissionDenied(_("Only the organizer can change this booking."))
    return booking


def _upcoming(parts: selectors.BookingParts) -> list[Occurrence]:
    """The meetings still to come that hold their room: what a change or a
    cancellation applies to."""
    now = timezone.now()
    return [o for o in parts.occurrences if o.status in Occurrence.OCCUPYING and o.start > now]


def _held(parts: selectors.BookingParts) -> list[Occurrence]:
    """BK-5: the approved meetings that a pending change would replace, held meanwhile."""
    replaced = {o.replaces_id for o in parts.occurrences if o.replaces_id and o.status == S.PENDING}
    return [o for o in parts.occurrences if o.pk in replaced]


def _proposed(parts: selectors.BookingParts) -> list[Occurrence]:
    return [o for o in parts.occurrences if o.replaces_id and o.status == S.PENDING]


def _slot_label(o: Occurrence) -> str:
    """A meeting's time in the viewer's zone, for a choice: "Wed 2026-12-09 10:00–11:00"."""
    start, end = timezone.localtime(o.start), timezone.localtime(o.end)
    # Django's date format names the weekday in the active language (周三), as the page's
    # other times do (meeting_slot.html); strftime's %a would stay English.
    return f"{date_format(start, 'D Y-m-d H:i')}–{date_format(end, 'H:i')}"


# The meetings whose participants' answers the organizer may look at: those approved,
# and those that took place (or were missed) since.
ANSWERED_STATUSES = (S.APPROVED, S.COMPLETED, S.NO_SHOW)


def _answer_form(request: HttpRequest, booking: Booking, mine: list[Participant], data=None):
    labels = {p.occurrence_id: _slot_label(p.occurrence) for p in mine}
    first = mine[0]
    initial = {
        "occurrence": first.occurrence_id,
        "response": "" if first.response == Participant.Response.NEEDS_ACTION else first.response,
        "reason": first.response_reason,
    }
    return AnswerForm(data, meetings=mine, series=booking.is_series, labels=labels, initial=initial)


def _answer_context(
    request: HttpRequest, booking: Booking, parts: selectors.BookingParts, answer_form=None
) -> dict:
    """BK-11: an invitee's meetings still to answer with the form, and for the organizer
    (`secrecy.sees_answers`) who comes to one meeting (`?answers=<meeting id>`, the
    next one by default). One query either way; none for the organizer's own answer,
    since the organizer comes."""
    context: dict = {}
    now = timezone.now()
    if booking.organizer_id != request.user.pk:
        mine = selectors.participant_list_answerable(booking=booking, user=request.user, now=now)
        if mine:
            context["my_answers"] = mine
            context["answer_form"] = answer_form or _answer_form(request, booking, mine)
    if secrecy.sees_answers(viewer=request.user, booking=booking):
        held = [o for o in parts.occurrences if o.status in ANSWERED_STATUSES]
        wanted = request.GET.get("answers", "")
        chosen = next((o for o in held if str(o.pk) == wanted), None)
        chosen = chosen or next((o for o in held if o.end > now), None) or (held[-1:] or [None])[0]
        if chosen is not None:
            context.update(
                who_comes=selectors.who_comes(occurrence=chosen),
                answer_meetings=[(o, _slot_label(o)) for o in held],
            )
    return context


def _page_context(request: HttpRequest, booking: Booking, *, answer_form=None) -> dict:
    parts = selectors.booking_parts_prefetched(booking)
    access = secrecy.booking_access(
        booking=booking,
        viewer=request.user,
        occurrences=parts.occurrences,
        attendees=parts.attendees,
    )
    context = {
        "booking": booking,
        "access": access,
        "now": timezone.now(),
        # The meetings as people know them: a change's proposed slot is shown with it.
        "meetings": [
            o
            for o in parts.occurrences
            if o.status != S.SUPERSEDED and not (o.replaces_id and o.status != S.APPROVED)
        ],
        # BK-17: approved in a Tencent Meeting or Zoom room, its link not here yet.
        "link_on_its_way": access.join
        and link_comes_later(booking)
        and any(o.status == S.APPROVED for o in parts.occurrences),
    }
    if not access.details:
        # SE-5: "busy", the room and the times, nothing more.
        return context
    change = parts.pending_change
    context.update(
        can_manage=can_change(request.user, booking),
        upcoming=_upcoming(parts),
        colleagues=[a for a in parts.attendees if a.user_id is not None],
        guests=[a for a in parts.attendees if a.user_id is None],
        pending_change=change,
        proposal=selectors.change_proposal(change=change) if change else [],
        held=_held(parts),
        proposed=_proposed(parts),
        history=selectors.booking_history(booking=booking),
        # BK-13: the viewer's sign-in, and the attendance list for those who may see it.
        sign_in=selectors.sign_in_state(
            booking=booking, occurrences=parts.occurrences, viewer=request.user
        ),
    )
    context.update(_answer_context(request, booking, parts, answer_form))
    return context


@login_required
@require_GET
def meeting(request: HttpRequest, booking_id: int) -> HttpResponse:
    booking = _visible(request, booking_id)
    context = _page_context(request, booking)
    if context["access"].details and context["can_manage"]:
        context["attendees_form"] = AttendeesAddForm()
    if context["access"].join:  # BK-10: the Calendar section (meeting_calendar.html)
        context["calendar_feed"] = feed_links(calendar_feed_get(user=request.user))
    return render(request, "bookings/pages/meeting.html", context)


def _single_meeting(booking: Booking) -> Occurrence | None:
    """The meeting whose time a change may move: a single meeting's, not a series'."""
    upcoming = _upcoming(selectors.booking_parts_prefetched(booking))
    return upcoming[0] if len(upcoming) == 1 and not booking.is_series else None


def _rooms(booking: Booking):
    """The rooms a change may move to: those that can be booked, and the meeting's own."""
    return selectors.room_list_active() | Room.objects.filter(pk=booking.room_id)


def _slots_text(meetings: list[Occurrence], room: Room) -> str:
    """The meetings' slots in the user's zone, in `room` (the one they hold until a
    change is approved), for a message: "2026-12-09 10:00–11:00 (Tencent A)"."""
    slots = []
    for o in meetings:
        start, end = timezone.localtime(o.start), timezone.localtime(o.end)
        slots.append(f"{start:%Y-%m-%d %H:%M}–{end:%H:%M} ({room.name})")
    return "; ".join(slots)


@login_required
@require_http_methods(["GET", "POST"])
def meeting_change(request: HttpRequest, booking_id: int) -> HttpResponse:
    booking = _managed(request, booking_id)
    meeting_ = _single_meeting(booking)
    form = MeetingChangeForm(
        request.POST if request.method == "POST" else None,
        booking=booking,
        meeting=meeting_,
        rooms=_rooms(booking).order_by("name"),
    )
    if request.method == "POST" and form.is_valid():
        was_pending_change = booking.pending_changes
        try:
            services.booking_change(booking=booking, actor=request.user, **form.changes())
        except ApplicationError as error:
            form.add_application_error(error)
        else:
            changed = selectors.booking_get_visible(booking_id=booking.pk, viewer=request.user)
            waiting = changed is not None and changed.pending_changes and not was_pending_change
            if waiting:
                parts = selectors.booking_parts_prefetched(changed)
                kept = _held(parts) or [o for o in _upcoming(parts) if o.status == S.APPROVED]
                messages.warning(
                    request,
                    _(
                        "Your change waits for an approver. Until it is decided, your "
                        "meeting keeps its current slot: %(slots)s."
                    )
                    % {"slots": _slots_text(kept, changed.room)},
                )
            else:
                messages.success(request, _("The meeting is changed."))
            return redirect("bookings:meeting", booking_id=booking.pk)
    context = _page_context(request, booking)
    context.update(form=form, single=meeting_)
    return render(request, "bookings/pages/meeting_change.html", context)


def _occurrence_of(booking: Booking, occurrence_id) -> Occurrence | None:
    """One of the booking's meetings by id (from its prefetched rows), or None for all
    of them; 404 for an id that is not one of its meetings."""
    if occurrence_id in (None, ""):
        return None
    try:
        wanted = int(occurrence_id)
    except (TypeError, ValueError):
        raise Http404(_("This booking has no such meeting.")) from None
    for o in selectors.booking_parts_prefetched(booking).occurrences:
        if o.pk == wanted:
            return o
    raise Http404(_("This booking has no such meeting."))


@login_required
@require_http_methods(["GET", "POST"])
def meeting_cancel(request: HttpRequest, booking_id: int) -> HttpResponse:
    """GET asks to confirm (and for a reason); POST cancels the booking's meetings still
    to come, or the one named by `occurrence`."""
    booking = _managed(request, booking_id)
    source = request.POST if request.method == "POST" else request.GET
    occurrence = _occurrence_of(booking, source.get("occurrence"))
    form = MeetingCancelForm(
        request.POST if request.method == "POST" else None,
        initial={"occurrence": occurrence.pk if occurrence else None},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.booking_cancel(
                booking=booking,
                actor=request.user,
                reason=form.cleaned_data["reason"],
                occurrence=occurrence,
            )
        except ApplicationError as error:
            form.add_application_error(error)
        else:
            messages.success(
                request,
                _("The meeting is cancelled.")
                if occurrence is None
                else _("This meeting of the series is cancelled."),
            )
            return redirect("bookings:meeting", booking_id=booking.pk)
    context = _page_context(request, booking)
    context.update(form=form, occurrence=occurrence)
    return render(request, "bookings/pages/meeting_cancel.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def meeting_attendees_add(request: HttpRequest, booking_id: int) -> HttpResponse:
    booking = _managed(request, booking_id)
    form = AttendeesAddForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            added = services.booking_attendees_add(
                booking=booking,
                actor=request.user,
                users=form.cleaned_data["colleagues"],
                emails=form.cleaned_data["guests"],
            )
        except ApplicationError as error:
            form.add_application_error(error)
        else:
            count = len(added.added)
            messages.success(
                request,
                ngettext("%(count)d person is invited.", "%(count)d people are invited.", count)
                % {"count": count}
                if count
                else _("Everyone named was already invited."),
            )
            return redirect("bookings:meeting", booking_id=booking.pk)
    context = _page_context(request, booking)
    context.update(attendees_form=form)
    return render(request, "bookings/pages/meeting_attendees.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def meeting_attendee_remove(
    request: HttpRequest, booking_id: int, attendee_id: int
) -> HttpResponse:
    """GET asks to confirm; POST removes the invitee (never deleted: turned off)."""
    booking = _managed(request, booking_id)
    attendee = next(
        (a for a in selectors.booking_parts_prefetched(booking).attendees if a.pk == attendee_id),
        None,
    )
    if attendee is None:
        raise Http404(_("This person is not invited to this meeting."))
    form = AttendeeRemoveForm(request.POST if request.method == "POST" else None)
    name = attendee.user.get_full_name() if attendee.user_id else attendee.email
    error = None
    if request.method == "POST" and form.is_valid():
        try:
            services.booking_attendee_remove(booking=booking, actor=request.user, attendee=attendee)
        except ApplicationError as refused:
            error = refused.detail
        else:
            messages.success(request, _("%(name)s is no longer invited.") % {"name": name})
            return redirect("bookings:meeting", booking_id=booking.pk)
    context = _page_context(request, booking)
    context.update(attendee=attendee, attendee_name=name, error=error)
    return render(request, "bookings/pages/meeting_attendee_remove.html", context)


@login_required
@require_POST
def meeting_answer(request: HttpRequest, booking_id: int) -> HttpResponse:
    """BK-11: an invitee answers one meeting, or it and the rest of the series; back to
    the meeting's page, or the page again with the refusal next to its field."""
    booking = _visible(request, booking_id)
    mine = (
        selectors.participant_list_answerable(booking=booking, user=request.user)
        if booking.organizer_id != request.user.pk
        else []
    )
    if not mine:
        messages.error(
            request,
            _("You have no meeting of this booking to answer: it has started, or you organize it."),
        )
        return redirect("bookings:meeting", booking_id=booking.pk)
    form = _answer_form(request, booking, mine, data=request.POST)
    if form.is_valid():
        wanted = form.cleaned_data.get("occurrence") or mine[0].occurrence_id
        participant = next(p for p in mine if p.occurrence_id == wanted)
        try:
            answered = services.participant_answer(
                participant=participant,
                response=form.cleaned_data["response"],
                reason=form.cleaned_data["reason"],
                scope=form.cleaned_data.get("scope") or "one",
                actor=request.user,
                via="page",
            )
        except ApplicationError as error:
            form.add_application_error(error)
        else:
            count = len(answered.participants)
            answer = answered.participants[0].get_response_display().lower()
            messages.success(
                request,
                ngettext(
                    "Your answer is recorded: %(answer)s.",
                    "Your answer is recorded for %(count)d meetings: %(answer)s.",
                    count,
                )
                % {"count": count, "answer": answer},
            )
            return redirect("bookings:meeting", booking_id=booking.pk)
    context = _page_context(request, booking, answer_form=form)
    return render(request, "bookings/pages/meeting.html", context)


urlpatterns = [
    path("meetings/<int:booking_id>/answer/", meeting_answer, name="meeting_answer"),
    path("meetings/<int:booking_id>/", meeting, name="meeting"),
    path("meetings/<int:booking_id>/change/", meeting_change, name="meeting_change"),
    path("meetings/<int:booking_id>/cancel/", meeting_cancel, name="meeting_cancel"),
    path(
        "meetings/<int:booking_id>/attendees/", meeting_attendees_add, name="meeting_attendees_add"
    ),
    path(
        "meetings/<int:booking_id>/attendees/<int:attendee_id>/remove/",
        meeting_attendee_remove,
        name="meeting_attendee_remove",
    ),
]
