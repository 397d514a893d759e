"""A booking's page in admin: its meetings and the changes asked for, read-only (BK-5, BK-7)."""

from __future__ import annotations

from django.contrib import admin
from django.utils.dateparse import parse_datetime
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from bookings.admin.display import (
    may_view_bookings,
    moment_label,
    panel,
    slot_label,
)
from bookings.models import (
    Booking,
    BookingChange,
    Occurrence,
    Room,
)
from meetingops.admin_display import yes_no
from oversight.admin_mixins import ReadOnlyAdminMixin


class BookingPartInline(ReadOnlyAdminMixin, admin.TabularInline):
    """Rows that belong to a booking, shown on its page and written only by services:
    whoever may see the booking sees them; nobody adds, edits or deletes them here."""

    def has_view_permission(self, request, obj=None) -> bool:
        return may_view_bookings(request)


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
        return yes_no(obj.late_cancellation)

    @admin.display(description=_("decided"))
    def decided(self, obj: Occurrence) -> str:
        if obj.decided_at is None:
            return "–"
        who = obj.decided_by or _("usage policy (automatic)")
        return panel("decided", who=who, when=moment_label(obj.decided_at))

    @admin.display(description=_("replaces"))
    def replaces_slot(self, obj: Occurrence) -> str:
        return slot_label(obj.replaces.start, obj.replaces.end) if obj.replaces_id else "–"


def change_rows(
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


def change_table(
    change: BookingChange, booking: Booking, rooms: dict[int, str] | None = None
) -> str:
    return panel("change_table", rows=change_rows(change, booking, rooms))


class BookingChangeInline(BookingPartInline):
    """BK-5 / BK-7: every change asked for, and how it was decided."""

    model = BookingChange
    template = "admin/bookings/booking/readonly_inline.html"
    extra = 0
    can_delete = False
    # The model's requested_by, decided_by, decided_at and reason have no verbose names
    # (changing them would need a migration): these columns give them translated headers.
    fields = (
        "requested_at",
        "requester",
        "status",
        "what",
        "decider",
        "decided_when",
        "decision_reason",
    )
    readonly_fields = fields
    verbose_name = _("change")
    verbose_name_plural = _("changes")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("requested_by", "decided_by", "booking")

    @admin.display(description=_("requested by"))
    def requester(self, obj: BookingChange) -> str:
        return str(obj.requested_by)

    @admin.display(description=_("decided by"))
    def decider(self, obj: BookingChange) -> str:
        return str(obj.decided_by) if obj.decided_by_id else "–"

    @admin.display(description=_("decided at"))
    def decided_when(self, obj: BookingChange) -> str:
        return moment_label(obj.decided_at) if obj.decided_at else "–"

    @admin.display(description=_("reason"))
    def decision_reason(self, obj: BookingChange) -> str:
        return obj.reason or "–"

    @admin.display(description=_("what changes"))
    def what(self, obj: BookingChange) -> str:
        # Admin makes its inlines anew for each request: the room names are read once
        # per page, not once per change.
        if not hasattr(self, "_room_names"):
            self._room_names = dict(Room.objects.values_list("pk", "name"))
        return change_table(obj, obj.booking, self._room_names)
