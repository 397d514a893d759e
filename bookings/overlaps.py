"""BK-3's proof: find any two occupying occurrences of different bookings that overlap
in one room. There must be none; `manage.py audit_overlaps` runs this nightly in
production and after every race test."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from bookings.models import Occurrence


@dataclass(frozen=True)
class Overlap:
    room_id: int
    first: int
    second: int

    def __str__(self) -> str:
        return f"room {self.room_id}: occurrences {self.first} and {self.second} overlap"


def overlaps_find(*, chunk_size: int = 5000) -> Iterator[Overlap]:
    """One pass over the occupying occurrences sorted by room and occupied start: each
    one is compared with the earlier one that ends latest in the same room."""
    rows = (
        Occurrence.objects.filter(status__in=Occurrence.OCCUPYING)
        .order_by("room_id", "occupied_from", "pk")
        .values_list("room_id", "occupied_from", "end", "pk", "booking_id")
        .iterator(chunk_size=chunk_size)
    )
    room = None
    latest_end = latest_pk = latest_booking = None
    for room_id, start, end, pk, booking_id in rows:
        if room_id != room:
            room, latest_end, latest_pk, latest_booking = room_id, end, pk, booking_id
            continue
        # Occurrences of one booking may overlap: a change holds its new slot beside the old.
        if start < latest_end and booking_id != latest_booking:
            yield Overlap(room_id, latest_pk, pk)
        if end > latest_end:
            latest_end, latest_pk, latest_booking = end, pk, booking_id
