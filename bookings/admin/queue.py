"""BK-4: the approvers' queue. Bookings are read-only here: every decision goes through
`bookings.services`, which checks, audits and notifies; nothing is added or deleted in
admin (BK-7)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db.models.constants import LOOKUP_SEP
from django.http import HttpResponseNotAllowed, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.text import Truncator, capfirst
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from bookings import selectors
from bookings.admin.display import (
    APPROVE_PERMISSION,
    Named,
    booking_label,
    moment_label,
    panel,
    slot_label,
)
from bookings.admin.display import (
    item as line,
)
from bookings.models import (
    Booking,
    BookingChange,
    Occurrence,
    Room,
)
from bookings.permissions import can_approve, is_approver
from bookings.services import (
    ApprovalOverrideRequired,
    booking_approve,
    booking_reject,
)
from meetingops.errors import ApplicationError
from oversight.admin_mixins import ReadOnlyAdminMixin


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


# The filter's date inputs and presets send ISO dates, and its error message names that
# format: other spellings (which vary with the viewer's language) are not guessed at.
ISO_DATE = "%Y-%m-%d"


class MeetingDateForm(forms.Form):
    meeting_from = forms.DateField(label=_("from"), required=False, input_formats=[ISO_DATE])
    meeting_to = forms.DateField(label=_("to"), required=False, input_formats=[ISO_DATE])


def _midnight(day: dt.date, zone: dt.tzinfo) -> dt.datetime | None:
    """The moment `day` begins in `zone`, or None when that moment lies outside what
    a datetime holds in UTC (the calendar's first or last day): the range is then open
    on that side, which is what such a date asks for."""
    try:
        moment = dt.datetime.combine(day, dt.time.min, tzinfo=zone)
        moment.astimezone(dt.UTC)
    except OverflowError:
        return None
    return moment


class MeetingDateFilter(admin.ListFilter):
    """Bookings with a meeting starting in a range of days, in the viewer's time zone:
    presets (today, this week…) or a from/to pair of dates, both inclusive."""

    title = _("meeting date")
    template = "admin/bookings/booking/meeting_date_filter.html"
    parameters = ("meeting_from", "meeting_to")

    def __init__(self, request, params, model, model_admin) -> None:
        super().__init__(request, params, model, model_admin)
        for name in self.parameters:
            if name in params:
                value = params.pop(name)
                self.used_parameters[name] = value[-1] if isinstance(value, list) else value
        # A malformed date is left out on its own and the viewer is told: the list keeps
        # its other filters (and the other bound), where Django's IncorrectLookupParameters
        # would redirect to the bare list and drop them all without a word.
        checked = MeetingDateForm(self.used_parameters)
        rejected = [(name, self.used_parameters.pop(name)) for name in checked.errors]
        self.form = MeetingDateForm(self.used_parameters or None)
        self.other_parameters: list[tuple[str, str]] = []
        self._report(request, rejected)

    @staticmethod
    def _report(request, rejected: list[tuple[str, str]]) -> None:
        # Facet counts build the list's filters again while the page renders; the
        # request remembers what was said, so a value is reported once, on this page.
        reported = request.__dict__.setdefault("_meeting_date_reported", set())
        for name, value in rejected:
            if (name, value) in reported:
                continue
            reported.add((name, value))
            messages.error(
                request,
                _(
                    "The meeting date “%(value)s” is not a valid date, so the list is not "
                    "filtered by it. Use the format YYYY-MM-DD."
                )
                % {"value": Truncator(value).chars(40)},
            )

    def has_output(self) -> bool:
        return True

    def expected_parameters(self) -> list[str]:
        return list(self.parameters)

    def _bounds(self) -> tuple[dt.datetime | None, dt.datetime | None]:
        if not self.used_parameters or not self.form.is_valid():
            return None, None  # the form holds only values that passed in __init__
        zone = timezone.get_current_timezone()
        first, last = self.form.cleaned_data["meeting_from"], self.form.cleaned_data["meeting_to"]
        start = _midnight(first, zone) if first else None
        end = None
        if last and last < dt.date.max:
            end = _midnight(last + dt.timedelta(days=1), zone)
        return start, end

    def queryset(self, request, queryset):
        start, end = self._bounds()
        if start is None and end is None:
            return queryset
        return queryset.filter(selectors.booking_has_meeting_between(start=start, end=end))

    def _presets(self) -> list[tuple[str, dt.date | None, dt.date | None]]:
        today = timezone.localdate()
        monday = today - dt.timedelta(days=today.weekday())
        return [
            (_("Any date"), None, None),
            (_("Today"), today, today),
            (_("Tomorrow"), today + dt.timedelta(days=1), today + dt.timedelta(days=1)),
            (_("This week"), monday, monday + dt.timedelta(days=6)),
            (_("Next week"), monday + dt.timedelta(days=7), monday + dt.timedelta(days=13)),
            (_("From today on"), today, None),
            (_("Past"), None, today - dt.timedelta(days=1)),
        ]

    def choices(self, changelist):
        # The from/to form resubmits the list's other filters and search as they are.
        self.other_parameters = [
            (name, value)
            for name, values in changelist.filter_params.items()
            if name not in self.parameters
            for value in values
        ]
        current = (
            self.used_parameters.get("meeting_from", ""),
            self.used_parameters.get("meeting_to", ""),
        )
        for label, first, last in self._presets():
            wanted = dict(
                zip(
                    self.parameters,
                    (first.isoformat() if first else "", last.isoformat() if last else ""),
                    strict=True,
                )
            )
            yield {
                "selected": tuple(wanted.values()) == current,
                "query_string": changelist.get_query_string(
                    {name: value for name, value in wanted.items() if value},
                    [name for name, value in wanted.items() if not value],
                ),
                "display": label,
            }


class BookingPartInline(ReadOnlyAdminMixin, admin.TabularInline):
    """Rows that belong to a booking, shown on its page and written only by services:
    whoever may see the booking sees them; nobody adds, edits or deletes them here."""

    def has_view_permission(self, request, obj=None) -> bool:
        return BookingAdmin.may_view(request)


class OccurrenceInline(BookingPartInline):
    """The booking's meetings (BK-8): read-only, decided through the booking's actions."""

    model = Occurrence
    fk_name = "booking"
    template = "admin/bookings/booking/readonly_inline.html"
    extra = 0
    can_delete = False
    show_change_link = False
    fields = ("when", "room", "status", "reason", "late", "decided", "replaces_slot")
    readonly_fields = fields
    verbose_name = _("meeting")
    verbose_name_plural = _("meetings")

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("room", "decided_by", "replaces")
            .order_by("start", "pk")
        )

    @admin.display(description=_("when (your time zone)"))
    def when(self, obj: Occurrence) -> str:
        return slot_label(obj.start, obj.end)

    @admin.display(description=_("late cancellation"))
    def late(self, obj: Occurrence) -> str:
        return _("yes") if obj.late_cancellation else "–"

    @admin.display(description=_("decided"))
    def decided(self, obj: Occurrence) -> str:
        if obj.decided_at is None:
            return "–"
        who = obj.decided_by or _("usage policy (automatic)")
        return panel("decided", who=who, when=moment_label(obj.decided_at))

    @admin.display(description=_("replaces"))
    def replaces_slot(self, obj: Occurrence) -> str:
        return slot_label(obj.replaces.start, obj.replaces.end) if obj.replaces_id else "–"


def _change_rows(
    change: BookingChange, booking: Booking, rooms: dict[int, str] | None = None
) -> list[tuple[str, str, str]]:
    """A change's fields as (label, current value, proposed value), readable. `rooms`
    (id → name) lets a list of changes name their rooms from one query."""
    if rooms is None:
        room_ids = {v for v in (change.previous.get("room"), change.proposed.get("room")) if v}
        rooms = dict(Room.objects.filter(pk__in=room_ids).values_list("pk", "name"))

    def show(field: str, value) -> str:
        if value is None:
            return "–"
        if field == "room":
            return rooms.get(value, f"#{value}")
        if field in ("start", "end"):
            moment = parse_datetime(value) if isinstance(value, str) else value
            return moment_label(moment) if moment else str(value)
        if isinstance(value, bool):
            return _("yes") if value else _("no")
        return str(value)

    rows = []
    for field in ("room", "start", "end", "expected_headcount", "confidential"):
        if field in change.proposed:
            model = Occurrence if field in ("start", "end") else Booking
            label = capfirst(model._meta.get_field(field).verbose_name)
            rows.append(
                (
                    label,
                    show(field, change.previous.get(field)),
                    show(field, change.proposed[field]),
                )
            )
    return rows


def _change_table(
    change: BookingChange, booking: Booking, rooms: dict[int, str] | None = None
) -> str:
    return panel("change_table", rows=_change_rows(change, booking, rooms))


class BookingChangeInline(BookingPartInline):
    """BK-5 / BK-7: every change asked for, and how it was decided."""

    model = BookingChange
    template = "admin/bookings/booking/readonly_inline.html"
    extra = 0
    can_delete = False
    fields = (
        "requested_at",
        "requested_by",
        "status",
        "what",
        "decided_by",
        "decided_at",
        "reason",
    )
    readonly_fields = fields
    verbose_name = _("change")
    verbose_name_plural = _("changes")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("requested_by", "decided_by", "booking")

    @admin.display(description=_("what changes"))
    def what(self, obj: BookingChange) -> str:
        # Admin makes its inlines anew for each request: the room names are read once
        # per page, not once per change.
        if not hasattr(self, "_room_names"):
            self._room_names = dict(Room.objects.values_list("pk", "name"))
        return _change_table(obj, obj.booking, self._room_names)


@admin.register(Booking)
class BookingAdmin(admin.ModelAdmin):
    """BK-4: the approvers' queue of booking requests, and the page to decide one."""

    list_display = (
        "topic_shown",
        "organizer",
        "department",
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
                    "policy_version",
                )
            },
        ),
    )
    readonly_fields = tuple(name for _title, options in fieldsets for name in options["fields"])

    # -- what the viewer may do --------------------------------------------------------

    @staticmethod
    def may_view(request) -> bool:
        user = request.user
        return (
            user.has_perm("bookings.view_booking")
            or user.has_perm("bookings.change_booking")
            or user.has_perm(APPROVE_PERMISSION)
        )

    def has_view_permission(self, request, obj=None) -> bool:
        return self.may_view(request)

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
        return selectors.booking_list_for_review(actor=request.user)

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

    @admin.display(description=_("first start"), ordering="queue_start")
    def first_meeting(self, obj: Booking):
        return obj.queue_start

    @admin.display(description=_("series"), boolean=True)
    def series(self, obj: Booking) -> bool:
        return obj.is_series

    # -- the change page -----------------------------------------------------------------

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None or selectors.booking_pending_change(booking=obj) is None:
            fieldsets = [f for f in fieldsets if "change_panel" not in f[1]["fields"]]
        return fieldsets

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            label = booking_label(obj)
            context.update(
                {
                    "subtitle": label,
                    "booking_label": label,
                    "can_decide": obj.status == Booking.Status.PENDING
                    and can_approve(request.user, obj),
                    "approve_url": reverse("admin:bookings_booking_approve", args=[obj.pk]),
                    "reject_url": reverse("admin:bookings_booking_reject", args=[obj.pk]),
                }
            )
        return super().render_change_form(request, context, add, change, form_url, obj)

    def history_view(self, request, object_id, extra_context=None):
        response = super().history_view(request, object_id, extra_context)
        booking = self.get_object(request, unquote(object_id))
        if booking is not None and hasattr(response, "context_data"):
            # The stock page titles itself with str(booking), the topic (SE-5).
            label = booking_label(booking)
            response.context_data["title"] = _("Change history: %s") % label
            response.context_data["subtitle"] = None
            response.context_data["object"] = Named(booking.pk, label)
        return response

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
            rows=_change_rows(change, obj),
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
    ) -> int:
        """Approve (reason None, over broken rules with `override_reason`) or reject
        each booking through the services; one that fails is reported by name and the
        others still proceed. An approval the service refuses for want of an override
        reason goes to `blocked`, when given, for the page that asks for one."""
        done = 0
        for booking in bookings:
            try:
                if reason is None:
                    booking_approve(
                        booking=booking, actor=request.user, override_reason=override_reason
                    )
                else:
                    booking_reject(booking=booking, actor=request.user, reason=reason)
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
        if done:
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

    def _reject_page(self, request, bookings, form, *, action_url: str, bulk: bool):
        context = {
            **self.admin_site.each_context(request),
            "title": _("Reject booking requests"),
            "subtitle": None,
            "opts": self.opts,
            "bookings": [booking_label(b) for b in bookings],
            "form": form,
            "action_url": action_url,
            "bulk": bulk,
            "selected": request.POST.getlist(helpers.ACTION_CHECKBOX_NAME),
            "select_across": request.POST.get("select_across", "0"),
            "media": self.media + form.media,
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, self.reject_template, context)

    def _approve(self, request, bookings, *, action_url: str, bulk: bool):
        """BK-4: approve; what breaks a rule now is approved only with a reason, which
        an intermediate page asks for (None: nothing left to ask)."""
        form = ApproveOverrideForm(request.POST if "confirm" in request.POST else None)
        if form.is_valid():
            self._decide(
                request, bookings, reason=None, override_reason=form.cleaned_data["override_reason"]
            )
            return None
        blocked: list[tuple[Booking, ApprovalOverrideRequired]] = []
        self._decide(request, bookings, reason=None, blocked=blocked)
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
            "form": form,
            "action_url": action_url,
            "bulk": bulk,
            "select_across": "0",
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

    def _queue_url(self) -> str:
        return reverse("admin:bookings_booking_changelist")

    def approve_view(self, request, object_id):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        booking = self._decision_target(request, object_id)
        page = self._approve(request, [booking], action_url=request.path, bulk=False)
        return page or HttpResponseRedirect(self._queue_url())

    def reject_view(self, request, object_id):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        booking = self._decision_target(request, object_id)
        form = RejectReasonForm(request.POST if "confirm" in request.POST else None)
        if form.is_valid():
            self._decide(request, [booking], reason=form.cleaned_data["reason"])
            return HttpResponseRedirect(self._queue_url())
        return self._reject_page(request, [booking], form, action_url=request.path, bulk=False)
