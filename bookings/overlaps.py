"""BK-3's proof: find any two occupying occurrences of different bookings that overlap
in one room. There must be none; beat runs `overlaps_check` nightly in production (the
schedule comes from a migration, IT edits it in admin) and mails IT what it finds;
`manage.py audit_overlaps` runs the same scan by hand and after every race test."""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from django.utils.functional import lazy
from django.utils.translation import gettext, gettext_lazy

from bookings.models import Occurrence
from oversight.services import it_alert_send

logger = logging.getLogger(__name__)

# The alert lists this many pairs; the count names them all, and the command lists all.
ALERT_PAIRS_SHOWN = 50


@dataclass(frozen=True)
class Overlap:
    room_id: int
    first: int
    second: int
    first_booking: int
    second_booking: int

    def __str__(self) -> str:
        return (
            f"room {self.room_id}: occurrences {self.first} (booking {self.first_booking}) "
            f"and {self.second} (booking {self.second_booking}) overlap"
        )


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
            yield Overlap(room_id, latest_pk, pk, latest_booking, booking_id)
        if end > latest_end:
            latest_end, latest_pk, latest_booking = end, pk, booking_id


def _pairs_text(overlaps: Sequence[Overlap], total: int) -> str:
    """The pairs by their ids alone: the alert goes to IT, who may not see the meetings
    (SE-5), so no topic, organizer or link is named."""
    lines = [
        gettext(
            "Room %(room)s: meeting %(first)s of booking %(first_booking)s and meeting "
            "%(second)s of booking %(second_booking)s"
        )
        % {
            "room": overlap.room_id,
            "first": overlap.first,
            "first_booking": overlap.first_booking,
            "second": overlap.second,
            "second_booking": overlap.second_booking,
        }
        for overlap in overlaps
    ]
    if total > len(overlaps):
        lines.append(
            gettext("…and %(count)s more: run manage.py audit_overlaps for the full list.")
            % {"count": total - len(overlaps)}
        )
    return "\n".join(f"- {line}" for line in lines)


# Rendered when the alert is, in the language it is written in.
_pairs_text_lazy = lazy(_pairs_text, str)


def overlaps_check() -> dict:
    """BK-3, nightly: scan for double bookings; any found are logged and mailed to IT,
    by their ids. A mail server error is raised, for the task's retry (the scan is a
    read, so running it again is harmless)."""
    shown: list[Overlap] = []
    found = 0
    for overlap in overlaps_find():
        found += 1
        if len(shown) < ALERT_PAIRS_SHOWN:
            shown.append(overlap)
    if not found:
        logger.info("No room is double-booked.")
        return {"ok": True, "overlaps": 0, "mailed": 0}
    logger.error("%s overlapping pair(s) of occurrences found: %s", found, shown[0])
    mailed = it_alert_send(
        gettext_lazy("[MeetingOps] Double bookings found: %(count)s"),
        gettext_lazy(
            "The nightly check of the bookings found %(count)s pair(s) of meetings that "
            "occupy the same room at the same time:\n\n%(pairs)s\n\n"
            "What to do: for each pair, open both bookings in admin (by their IDs), "
            "agree with the approvers which meeting keeps the room, and move or cancel "
            "the other so that its organizer is told. Then record an incident: the "
            "database should have refused this (on PostgreSQL its exclusion constraint "
            "does), so find the write that went around the booking services."
        ),
        count=found,
        pairs=_pairs_text_lazy(shown, found),
    )
    return {"ok": False, "overlaps": found, "mailed": mailed}
