"""X-3: the booking emails sent, read-only, for IT and the supervision team."""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from bookings.models import (
    NotificationDelivery,
)
from oversight.admin_mixins import ReadOnlyAdminMixin


@admin.register(NotificationDelivery)
class NotificationDeliveryAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """X-3: who was emailed about which booking, and when; for IT and the supervision
    team to answer "I never got the email". A record: nothing here is added, changed or
    deleted by hand. The booking shows by number and room, never its topic, which may
    be confidential (SE-5) and IT does not oversee bookings."""

    list_display = ("created_at", "sent_at", "kind", "email", "booking_shown", "room")
    list_filter = ("kind", ("sent_at", admin.EmptyFieldListFilter))
    search_fields = ("email", "=booking__id")
    search_help_text = _("Search by email address or booking number.")
    date_hierarchy = "created_at"
    list_select_related = ("booking__room",)
    fields = ("created_at", "sent_at", "kind", "email", "user", "booking_shown", "room", "key")
    readonly_fields = fields

    @admin.display(description=_("booking"), ordering="booking_id")
    def booking_shown(self, obj: NotificationDelivery) -> str:
        return f"#{obj.booking_id}"

    @admin.display(description=_("room"))
    def room(self, obj: NotificationDelivery) -> str:
        return obj.booking.room.name
