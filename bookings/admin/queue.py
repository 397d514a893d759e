"""BK-4: the approvers' queue. Bookings are read-only here: every decision goes through
`bookings.services`, which checks, audits and notifies; nothing is added or deleted in
admin (BK-7)."""

from __future__ import annotations

from collections.abc import Iterable

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.templatetags.admin_urls import add_preserved_filters
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db.models import BooleanField, Value
from django.db.models.constants import LOOKUP_SEP
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import formats, timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from bookings import selectors
from bookings.admin.display import (
    Named,
    booking_label,
    may_view_bookings,
    moment_label,
    panel,
    slot_label,
)
from bookings.admin.display import (
    item as line,
)
from bookings.admin.filters import MeetingDateFilter
from bookings.admin.inlines import BookingChangeInline, OccurrenceInline, change_rows
from bookings.models import (
    Booking,
    Occurrence,
)
from bookings.permissions import can_approve, is_approver
from bookings.providers import link_comes_later
from bookings.services import (
    ApprovalOverrideRequired,
    booking_approve,
    booking_reject,
    meeting_password_needed,
)
from meetingops.admin_display import yes_no
from meetingops.errors import ApplicationError
from oversight.actions import action_label
from oversight.selectors import audit_event_list_for_target


class RejectReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 4, "cols": 60}),
        max_length=2000,
        help_text=_("The organizer reads this in the rejection notice."),
        error_messages={"required": _("Say why the booking request is rejected.")},
    )


class ApproveOverrideForm(forms.Form):
    override_reason = forms.CharField(
        label=_("Reason to approve anyway"),
        widget=forms.Textarea(attrs={"rows": 4, "cols": 60}),
        max_length=2000,
        help_text=_(
            "Recorded in the audit log and kept with the approval; the organizer reads it "
            "in the confirmation."
        ),
        error_messages={
            "required": _("Say why the request is approved although it breaks these rules.")
        },
    )


@admin.register(Booking)
class BookingAdmin(admin.ModelAdmin):
    """BK-4: the approvers' queue of booking requests, and the page to decide one."""

    # BK-4: start, status and series stay in view at 1280 px: the organizer's
    # department shares their cell, and long text wraps (static/css/admin.css).
    list_display = (
        "topic_shown",
        "organizer_shown",
        "room",
        "first_meeting",
        "status",
        "series",
    )
    list_display_links = ("topic_shown",)
    list_filter = ("status", "room", "department", MeetingDateFilter)
    list_select_related = ("organizer", "department", "room")
    # visible_topic: the topic where the viewer may read it, else "" (SE-5), so a search
    # never finds a confidential meeting by a topic its viewer may not see.
    search_fields = ("visible_topic", "organizer__email", "organizer__name")
    search_help_text = _("Search by topic, or by the organizer's name or email.")
    # SE-5: Django admin filters on any of the model's own fields from the address
    # (`?topic__icontains=...`), and the count it shows would reveal a confidential
    # topic. Only these say nothing of a meeting's content.
    address_lookups = frozenset(
        {"id", "pk", "status", "room", "department", "organizer", "first_start", "created_at"}
    ) | frozenset(MeetingDateFilter.parameters)
    list_per_page = 50
    # Years of bookings: one count of the list as filtered, not a second of them all.
    show_full_result_count = False
    actions = ("approve_selected", "reject_selected")
    change_form_template = "admin/bookings/booking/change_form.html"
    object_history_template = "admin/bookings/booking/object_history.html"
    reject_template = "admin/bookings/booking/reject_reason.html"
    approve_override_template = "admin/bookings/booking/approve_override.html"
    inlines = (OccurrenceInline, BookingChangeInline)
    fieldsets = (
        (
            None,
            {
                "fields": (
                    "topic_shown",
                    "organizer",
                    "department",
                    "room",
                    "status",
                    "series",
                    "created_at",
                )
            },
        ),
        (
            _("Review"),
            {
                "description": _(
                    "Checked now against the usage policy in force and the room's other bookings."
                ),
                "fields": ("conflicts_panel", "rules_panel", "record_panel"),
            },
        ),
        (_("Pending change"), {"fields": ("change_panel",)}),
        (
            _("Meeting"),
            {
                "fields": (
                    "agenda_shown",
                    "mode",
                    "expected_headcount",
                    "settings_shown",
                    "attendees_panel",
                    "join_shown",
                    "provider_panel",
                    "policy_version",
                )
            },
        ),
        (_("Sign-in and attendance"), {"fields": ("attendance_panel",)}),
    )
    readonly_fields = tuple(name for _title, options in fieldsets for name in options["fields"])

    # -- what the viewer may do --------------------------------------------------------

    def has_view_permission(self, request, obj=None) -> bool:
        return may_view_bookings(request)

    def has_add_permission(self, request) -> bool:
        return False  # employees book through the pages and the API (services)

    def has_change_permission(self, request, obj=None) -> bool:
        return False  # viewing only: decisions are the actions below (services)

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # BK-7: never hard-deleted

    def has_approve_permission(self, request) -> bool:
        return is_approver(request.user)

    # -- the list ------------------------------------------------------------------------

    def changelist_view(self, request, extra_context=None):
        return super().changelist_view(
            request, {"title": _("Booking requests"), **(extra_context or {})}
        )

    def get_queryset(self, request):
        # BK-17: whether the reader may retry a provider's meeting (the booking page's
        # panel; a readonly field has no request of its own), as a constant column.
        may_retry = request.user.has_perm("bookings.retry_providermeeting")
        return selectors.booking_list_for_review(actor=request.user).annotate(
            may_retry_provider=Value(may_retry, output_field=BooleanField())
        )

    def lookup_allowed(self, lookup, value, request=None) -> bool:
        if lookup.split(LOOKUP_SEP)[0] not in self.address_lookups:
            return False
        return super().lookup_allowed(lookup, value, request)

    def get_ordering(self, request):
        return selectors.REVIEW_ORDERING

    @admin.display(description=_("topic"), ordering="visible_topic")
    def topic_shown(self, obj: Booking) -> str:
        return panel(
            "topic", topic=obj.topic, confidential=obj.confidential, visible=obj.details_visible
        )

    @admin.display(description=_("organizer"), ordering="organizer__name")
    def organizer_shown(self, obj: Booking) -> str:
        return panel("who", who=obj.organizer, department=obj.department)

    @admin.display(description=_("start"), ordering="queue_start")
    def first_meeting(self, obj: Booking) -> str:
        """In the reader's zone and locale: the day, then the time under it (narrow)."""
        local = timezone.localtime(obj.queue_start)
        return panel(
            "when",
            day=formats.date_format(local, "DATE_FORMAT"),
            time=formats.time_format(local, "TIME_FORMAT"),
        )

    @admin.display(description=_("series"))
    def series(self, obj: Booking) -> str:
        return yes_no(obj.is_series)

    # -- the change page -----------------------------------------------------------------

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None or selectors.booking_pending_change(booking=obj) is None:
            fieldsets = [f for f in fieldsets if "change_panel" not in f[1]["fields"]]
        return fieldsets

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            label = booking_label(obj)
            can_decide = obj.status == Booking.Status.PENDING and can_approve(request.user, obj)
            context.update(
                {
                    "subtitle": label,
                    "booking_label": label,
                    "can_decide": can_decide,
                    "queue_url": self._queue_url(request),
                    "approve_url": self._kept(
                        request, reverse("admin:bookings_booking_approve", args=[obj.pk])
                    ),
                    "reject_url": self._kept(
                        request, reverse("admin:bookings_booking_reject", args=[obj.pk])
                    ),
                    **(self._decision_context(request, obj) if can_decide else {}),
                }
            )
        return super().render_change_form(request, context, add, change, form_url, obj)

    def _decision_context(self, request, booking: Booking) -> dict:
        """What the decision at the top of the page shows: when the meetings waiting
        for it are and, for a series, a decision per meeting (BK-4, BK-8)."""
        pending = selectors.booking_pending_occurrences(booking=booking)
        if not pending:
            return {"decision_when": ""}
        if len(pending) == 1:
            when = f"{slot_label(pending[0].start, pending[0].end)}, {pending[0].room}"
        else:
            when = ngettext(
                "%(count)d meeting, %(first)s to %(last)s",
                "%(count)d meetings, %(first)s to %(last)s",
                len(pending),
            ) % {
                "count": len(pending),
                "first": slot_label(pending[0].start, pending[0].end),
                "last": slot_label(pending[-1].start, pending[-1].end),
            }
        # The request's own meetings, one by one (a pending change is decided whole).
        own = [o for o in pending if o.replaces_id is None]
        meetings = []
        if booking.is_series and len(own) > 1:
            meetings = [
                {
                    "pk": o.pk,
                    "slot": slot_label(o.start, o.end),
                    "room": o.room,
                    "approve_url": self._kept(
                        request,
                        reverse("admin:bookings_booking_approve_meeting", args=[booking.pk, o.pk]),
                    ),
                    "reject_url": self._kept(
                        request,
                        reverse("admin:bookings_booking_reject_meeting", args=[booking.pk, o.pk]),
                    ),
                }
                for o in own
            ]
        return {
            "decision_when": when,
            "pending_meetings": meetings,
            # SE-5 / BK-17: a confidential meeting in a manual room without a password.
            "needs_meeting_password": meeting_password_needed(
                booking=booking, change=selectors.booking_pending_change(booking=booking)
            ),
        }

    def history_view(self, request, object_id, extra_context=None):
        """The booking's own history from the audit log (OV-1): the request, its
        changes and every decision, with who and why. Bookings are never edited in
        admin, so Django's LogEntry has nothing to say about them. The data of an event
        (reasons, notes) is shown only where the reader may see the meeting (SE-5)."""
        from django.contrib.admin.views.main import PAGE_VAR

        booking = self.get_object(request, unquote(object_id))
        if booking is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        if not self.has_view_permission(request, booking):
            raise PermissionDenied
        paginator = self.get_paginator(request, audit_event_list_for_target(target=booking), 100)
        page_obj = paginator.get_page(request.GET.get(PAGE_VAR, 1))
        label = booking_label(booking)
        context = {
            **self.admin_site.each_context(request),
            "title": _("History: %s") % label,
            "subtitle": None,
            "events": [
                {
                    "when": moment_label(event.created_at),
                    "who": event.actor or event.actor_label or _("usage policy (automatic)"),
                    "what": action_label(event.action),
                    "why": _event_details(event.data) if booking.details_visible else [],
                }
                for event in page_obj
            ],
            "action_list": page_obj,
            "page_range": paginator.get_elided_page_range(page_obj.number),
            "page_var": PAGE_VAR,
            "pagination_required": paginator.count > 100,
            "module_name": str(capfirst(self.opts.verbose_name_plural)),
            "object": Named(booking.pk, label),
            "opts": self.opts,
            "preserved_filters": self.get_preserved_filters(request),
            "queue_url": self._queue_url(request),
            **(extra_context or {}),
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, self.object_history_template, context)

    @admin.display(description=_("agenda"))
    def agenda_shown(self, obj: Booking) -> str:
        if not obj.details_visible:
            return panel("confidential")
        return obj.agenda or "–"

    @admin.display(description=_("settings"))
    def settings_shown(self, obj: Booking) -> str:
        flags = [
            (obj.recording_allowed, Booking._meta.get_field("recording_allowed").verbose_name),
            (obj.chat_allowed, Booking._meta.get_field("chat_allowed").verbose_name),
            (obj.password_required, Booking._meta.get_field("password_required").verbose_name),
            (obj.confidential, Booking._meta.get_field("confidential").verbose_name),
        ]
        on = [str(label) for value, label in flags if value]
        return ", ".join(on) if on else "–"

    @admin.display(description=_("meeting link"))
    def join_shown(self, obj: Booking) -> str:
        if not obj.join_url and not obj.meeting_code:
            if obj.status == Booking.Status.APPROVED and link_comes_later(obj):
                rows = selectors.booking_provider_meetings(booking=obj)
                if rows and rows[0].state == rows[0].State.FAILED:
                    message = _(
                        "Not given yet: %(provider)s could not schedule the meeting (see the "
                        "provider's meeting below)."
                    )
                else:
                    message = _("On its way from %(provider)s (see the provider's meeting below).")
                return message % {"provider": obj.room.provider.name}
            return _("Given by the room's provider when the booking is approved.")
        if not obj.details_visible:
            return panel("confidential")
        # SE-5: the meeting password is for the invitees; admin only says there is one.
        lines = [obj.join_url] if obj.join_url else []
        if obj.meeting_code:
            lines.append(_("Meeting ID: %(code)s") % {"code": obj.meeting_code})
        if obj.meeting_password:
            lines.append(_("A meeting password is set (shown to the invitees only)."))
        return panel("lines", lines=lines)

    @admin.display(description=_("provider's meeting"))
    def provider_panel(self, obj: Booking) -> str:
        """BK-17: the meeting at Tencent Meeting or Zoom: where it stands, its attempts
        and last error, and "retry now" for those who may."""
        rows = selectors.booking_provider_meetings(booking=obj)
        if not rows:
            return "–"
        may_retry = obj.may_retry_provider
        return panel(
            "provider",
            rows=[
                {
                    "row": row,
                    "url": reverse("admin:bookings_providermeeting_change", args=[row.pk]),
                    "retry_url": reverse("admin:bookings_providermeeting_retry", args=[row.pk])
                    if may_retry and row.state in (row.State.FAILED, row.State.PENDING)
                    else "",
                    "next_attempt": moment_label(row.next_attempt_at)
                    if row.next_attempt_at
                    else "",
                }
                for row in rows
            ],
        )

    @admin.display(description=_("attendees"))
    def attendees_panel(self, obj: Booking) -> str:
        if not obj.details_visible:
            return panel("confidential")
        attendees = list(obj.attendees.select_related("user").order_by("user__name", "email"))
        if not attendees:
            return _("Only the organizer.")
        return panel(
            "attendees",
            attendees=[
                {
                    "email_only": not a.user_id,
                    "name": a.user if a.user_id else "",
                    "email": a.user.email if a.user_id else a.email,
                    "active": a.is_active,
                }
                for a in attendees
            ],
        )

    @admin.display(description=_("attendance"))
    def attendance_panel(self, obj: Booking) -> str:
        """BK-13: who signed in to the meetings held, and their attendance once
        reconciled: the latest meetings that have started, two queries."""
        if not obj.details_visible:
            return panel("confidential")
        meetings = selectors.attendance_for_admin(booking=obj)
        if not meetings:
            return _("No meeting of this booking has started yet.")
        return panel(
            "attendance",
            meetings=[
                {
                    "when": slot_label(m.occurrence.start, m.occurrence.end),
                    "status": m.occurrence.get_status_display(),
                    "source": m.report.get_source_display() if m.report else "",
                    "unknown": len(m.report.unknown_joiners) if m.report else 0,
                    "people": [
                        {
                            "name": p.user.get_full_name() if p.user_id else p.email,
                            "guest": not p.user_id,
                            "role": p.get_role_display(),
                            "signed_in": moment_label(p.signed_in_at) if p.signed_in_at else "",
                            "attendance": p.get_attendance_display() if p.attendance else "",
                            "minutes": p.minutes_attended,
                        }
                        for p in m.participants
                    ],
                }
                for m in meetings
            ],
        )

    @admin.display(description=_("conflicts"))
    def conflicts_panel(self, obj: Booking) -> str:
        found = selectors.booking_pending_conflicts(booking=obj)
        if not found:
            return _("Nothing in this booking is waiting for a decision.")
        if not any(item.conflicts for item in found):
            return panel(
                "ok",
                text=ngettext(
                    "The room is free for %(count)d pending meeting.",
                    "The room is free for all %(count)d pending meetings.",
                    len(found),
                )
                % {"count": len(found)},
            )
        rows = []
        for item in found:
            slot = (
                f"{slot_label(item.occurrence.start, item.occurrence.end)}, {item.occurrence.room}"
            )
            if item.conflicts:
                text = " ".join(conflict.describe() for conflict in item.conflicts)
                rows.append(line(text, "booking-problem", slot=slot))
            else:
                rows.append(line(_("free"), "booking-ok", slot=slot))
        return panel("items", items=rows)

    @admin.display(description=_("usage rules"))
    def rules_panel(self, obj: Booking) -> str:
        check = selectors.booking_pending_rule_check(booking=obj)
        if check is None:
            return _("Nothing in this booking is waiting for a decision.")
        if not check.violations:
            return panel(
                "ok",
                text=_("All rules pass (usage policy v%(version)s).") % {"version": check.version},
            )
        return panel(
            "items",
            heading=_("Against usage policy v%(version)s:") % {"version": check.version},
            items=[line(v.message()) for v in check.violations],
            css_class="booking-problem",
        )

    @admin.display(description=_("organizer's record"))
    def record_panel(self, obj: Booking) -> str:
        record = selectors.organizer_record(organizer=obj.organizer)
        return panel(
            "items",
            heading=_("Last %(days)d days:") % {"days": record.days},
            items=[
                line(
                    ngettext(
                        "%(count)d booking requested",
                        "%(count)d bookings requested",
                        record.bookings,
                    )
                    % {"count": record.bookings}
                ),
                line(
                    ngettext("%(count)d no-show", "%(count)d no-shows", record.no_shows)
                    % {"count": record.no_shows},
                    "booking-problem" if record.no_shows else "",
                ),
                line(
                    ngettext(
                        "%(count)d late cancellation",
                        "%(count)d late cancellations",
                        record.late_cancellations,
                    )
                    % {"count": record.late_cancellations},
                    "booking-problem" if record.late_cancellations else "",
                ),
            ],
        )

    @admin.display(description=_("pending change"))
    def change_panel(self, obj: Booking) -> str:
        change = selectors.booking_pending_change(booking=obj)
        if change is None:
            return "–"
        return panel(
            "change",
            asked=_("Asked for by %(who)s on %(when)s.")
            % {"who": change.requested_by, "when": moment_label(change.requested_at)},
            rows=change_rows(change, obj),
        )

    # -- decisions -------------------------------------------------------------------------

    def _decide(
        self,
        request,
        bookings: Iterable[Booking],
        *,
        reason: str | None,
        override_reason: str = "",
        blocked: list[tuple[Booking, ApprovalOverrideRequired]] | None = None,
        occurrence: Occurrence | None = None,
        meeting_password: str = "",
    ) -> int:
        """Approve (reason None, over broken rules with `override_reason`) or reject
        each booking through the services; one that fails is reported by name and the
        others still proceed. An approval the service refuses for want of an override
        reason goes to `blocked`, when given, for the page that asks for one.
        `occurrence`: decide that one meeting of the (one) booking only (BK-8)."""
        done = 0
        for booking in bookings:
            try:
                if reason is None:
                    booking_approve(
                        booking=booking,
                        actor=request.user,
                        occurrence=occurrence,
                        override_reason=override_reason,
                        meeting_password=meeting_password,
                    )
                else:
                    booking_reject(
                        booking=booking, actor=request.user, reason=reason, occurrence=occurrence
                    )
            except ApprovalOverrideRequired as error:
                if blocked is None:
                    raise
                blocked.append((booking, error))
            except ApplicationError as error:
                self.message_user(
                    request,
                    _("%(booking)s: %(error)s")
                    % {"booking": booking_label(booking), "error": error.detail},
                    level=messages.ERROR,
                )
            else:
                done += 1
        if done and occurrence is not None:
            message = (
                _("Approved the meeting of %(slot)s.")
                if reason is None
                else _("Rejected the meeting of %(slot)s.")
            )
            self.message_user(
                request,
                message % {"slot": slot_label(occurrence.start, occurrence.end)},
                level=messages.SUCCESS,
            )
        elif done:
            message = (
                ngettext(
                    "Approved %(count)d booking request.",
                    "Approved %(count)d booking requests.",
                    done,
                )
                if reason is None
                else ngettext(
                    "Rejected %(count)d booking request.",
                    "Rejected %(count)d booking requests.",
                    done,
                )
            )
            self.message_user(request, message % {"count": done}, level=messages.SUCCESS)
        return done

    def _reject_page(
        self, request, bookings, form, *, action_url: str, bulk: bool, occurrence=None
    ):
        context = {
            **self.admin_site.each_context(request),
            "title": _("Reject booking requests"),
            "subtitle": None,
            "opts": self.opts,
            "bookings": [booking_label(b) for b in bookings],
            "meeting": slot_label(occurrence.start, occurrence.end) if occurrence else "",
            "back_url": self._queue_url(request),
            "form": form,
            "action_url": action_url,
            "bulk": bulk,
            "selected": request.POST.getlist(helpers.ACTION_CHECKBOX_NAME),
            "select_across": request.POST.get("select_across", "0"),
            "media": self.media + form.media,
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, self.reject_template, context)

    def _approve(self, request, bookings, *, action_url: str, bulk: bool, occurrence=None):
        """BK-4: approve; what breaks a rule now is approved only with a reason, which
        an intermediate page asks for (None: nothing left to ask)."""
        form = ApproveOverrideForm(request.POST if "confirm" in request.POST else None)
        # The room's meeting password, typed in the decision box (SE-5 / BK-17).
        password = request.POST.get("meeting_password", "")
        if form.is_valid():
            self._decide(
                request,
                bookings,
                reason=None,
                override_reason=form.cleaned_data["override_reason"],
                occurrence=occurrence,
                meeting_password=password,
            )
            return None
        blocked: list[tuple[Booking, ApprovalOverrideRequired]] = []
        self._decide(
            request,
            bookings,
            reason=None,
            blocked=blocked,
            occurrence=occurrence,
            meeting_password=password,
        )
        if not blocked:
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": _("Approve over broken rules"),
            "subtitle": None,
            "opts": self.opts,
            "blocked": [
                {
                    "label": booking_label(b),
                    "problems": [p.detail for p in error.problems],
                    "pk": b.pk,
                }
                for b, error in blocked
            ],
            "meeting": slot_label(occurrence.start, occurrence.end) if occurrence else "",
            "back_url": self._queue_url(request),
            "form": form,
            "action_url": action_url,
            "bulk": bulk,
            "select_across": "0",
            "meeting_password": password,
            "media": self.media + form.media,
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, self.approve_override_template, context)

    @admin.action(permissions=["approve"], description=_("Approve selected booking requests"))
    def approve_selected(self, request, queryset):
        return self._approve(request, queryset, action_url=request.get_full_path(), bulk=True)

    @admin.action(permissions=["approve"], description=_("Reject selected booking requests"))
    def reject_selected(self, request, queryset):
        """An intermediate page asks for the reason (required) before anything changes."""
        form = RejectReasonForm(request.POST if "confirm" in request.POST else None)
        if form.is_valid():
            self._decide(request, queryset, reason=form.cleaned_data["reason"])
            return None  # back to the list
        return self._reject_page(
            request, queryset, form, action_url=request.get_full_path(), bulk=True
        )

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        return [
            # The meetings' first: <path:object_id> would take their whole address.
            path(
                "<path:object_id>/meetings/<int:occurrence_id>/approve/",
                self.admin_site.admin_view(self.approve_meeting_view),
                name="{}_{}_approve_meeting".format(*info),
            ),
            path(
                "<path:object_id>/meetings/<int:occurrence_id>/reject/",
                self.admin_site.admin_view(self.reject_meeting_view),
                name="{}_{}_reject_meeting".format(*info),
            ),
            path(
                "<path:object_id>/approve/",
                self.admin_site.admin_view(self.approve_view),
                name="{}_{}_approve".format(*info),
            ),
            path(
                "<path:object_id>/reject/",
                self.admin_site.admin_view(self.reject_view),
                name="{}_{}_reject".format(*info),
            ),
            *super().get_urls(),
        ]

    def _decision_target(self, request, object_id) -> Booking:
        if not self.has_approve_permission(request):
            raise PermissionDenied
        booking = self.get_object(request, unquote(object_id))
        if booking is None:
            raise PermissionDenied  # as admin answers for objects one may not see
        return booking

    def _meeting_target(self, request, object_id, occurrence_id) -> tuple[Booking, Occurrence]:
        booking = self._decision_target(request, object_id)
        occurrence = (
            Occurrence.objects.filter(booking=booking, pk=occurrence_id)
            .only("pk", "start", "end", "booking_id")
            .first()
        )
        if occurrence is None:
            raise Http404(_("This meeting is not one of this booking's."))
        return booking, occurrence

    def _kept(self, request, url: str) -> str:
        """`url` carrying the queue's filters the approver came from (preserved filters)."""
        return add_preserved_filters(
            {"preserved_filters": self.get_preserved_filters(request), "opts": self.opts}, url
        )

    def _queue_url(self, request) -> str:
        """The queue as the approver left it: with the filters they had."""
        return self._kept(request, reverse("admin:bookings_booking_changelist"))

    def _after_meeting_url(self, request, booking: Booking) -> str:
        """Back to the booking's page while something in it waits for a decision, else
        to the queue."""
        booking.refresh_from_db(fields=["status"])
        if booking.status == Booking.Status.PENDING:
            return self._kept(request, reverse("admin:bookings_booking_change", args=[booking.pk]))
        return self._queue_url(request)

    def approve_view(self, request, object_id):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        booking = self._decision_target(request, object_id)
        page = self._approve(request, [booking], action_url=request.get_full_path(), bulk=False)
        return page or HttpResponseRedirect(self._queue_url(request))

    def reject_view(self, request, object_id):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        booking = self._decision_target(request, object_id)
        form = RejectReasonForm(request.POST if "confirm" in request.POST else None)
        if form.is_valid():
            self._decide(request, [booking], reason=form.cleaned_data["reason"])
            return HttpResponseRedirect(self._queue_url(request))
        return self._reject_page(
            request, [booking], form, action_url=request.get_full_path(), bulk=False
        )

    def approve_meeting_view(self, request, object_id, occurrence_id):
        """BK-8: approve one meeting of a series; the others still wait."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        booking, occurrence = self._meeting_target(request, object_id, occurrence_id)
        page = self._approve(
            request,
            [booking],
            action_url=request.get_full_path(),
            bulk=False,
            occurrence=occurrence,
        )
        return page or HttpResponseRedirect(self._after_meeting_url(request, booking))

    def reject_meeting_view(self, request, object_id, occurrence_id):
        """BK-8: reject one meeting of a series, with a reason; the others still wait."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        booking, occurrence = self._meeting_target(request, object_id, occurrence_id)
        form = RejectReasonForm(request.POST if "confirm" in request.POST else None)
        if form.is_valid():
            self._decide(
                request, [booking], reason=form.cleaned_data["reason"], occurrence=occurrence
            )
            return HttpResponseRedirect(self._after_meeting_url(request, booking))
        return self._reject_page(
            request,
            [booking],
            form,
            action_url=request.get_full_path(),
            bulk=False,
            occurrence=occurrence,
        )


def _event_details(data: dict) -> list[str]:
    """The why of an audit event about a booking, for its history: the reason, the note
    and an override's reason, and how many meetings it concerned."""
    details = []
    if data.get("reason"):
        details.append(_("Reason: %(reason)s") % {"reason": data["reason"]})
    if data.get("note"):
        details.append(_("Note: %(note)s") % {"note": data["note"]})
    override = data.get("override") or {}
    if override.get("reason"):
        details.append(
            _("Approved over broken rules, because: %(reason)s") % {"reason": override["reason"]}
        )
    if data.get("automatic"):
        details.append(_("Approved automatically by the usage policy."))
    occurrences = data.get("occurrences")
    if isinstance(occurrences, list) and occurrences:
        details.append(
            ngettext("%(count)d meeting", "%(count)d meetings", len(occurrences))
            % {"count": len(occurrences)}
        )
    return details
