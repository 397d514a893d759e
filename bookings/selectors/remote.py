"""BK-17: reads of the bookings' meetings at remote providers, for admin: what each
row may show of its booking is `bookings.secrecy`'s to say (SE-5)."""

from __future__ import annotations

from django.db.models import BooleanField, Case, QuerySet, Value, When

from bookings import secrecy
from bookings.models import Booking, ProviderMeeting


def provider_meeting_list_for(*, viewer) -> QuerySet[ProviderMeeting]:
    """Every provider meeting, newest first, with its booking and provider joined and
    `details_visible` (whether `viewer` may read the booking's topic): one query."""
    if secrecy.oversees_bookings(viewer):
        visible = Value(True, output_field=BooleanField())
    else:
        visible = Case(
            When(secrecy.details_visible_q(viewer, prefix="booking__"), then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        )
    return ProviderMeeting.objects.select_related("booking", "provider").annotate(
        details_visible=visible
    )


def booking_provider_meetings(*, booking: Booking) -> list[ProviderMeeting]:
    """The booking's meetings at remote providers, the live one first."""
    rows = booking.provider_meetings.select_related("provider").order_by("-updated_at", "-pk")
    return sorted(rows, key=lambda row: row.state == ProviderMeeting.State.CANCELLED)
