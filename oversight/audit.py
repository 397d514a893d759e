"""OV-1: the one writer of the audit log.

`record()` appends an event inside the caller's transaction, so an event exists exactly
when the change it describes does. Appending reads the last row's hash and inserts the
next one; two writers doing that at once would fork the chain, so the read-then-insert
runs under a transaction-scoped lock: `pg_advisory_xact_lock` on PostgreSQL, and on
SQLite the IMMEDIATE transaction mode (settings) already holds the database write lock
from BEGIN. The lock is held until the caller's transaction ends.

An event's label names the target by its model and id ("booking #12"), never by its
business content (`str()` of a booking is its topic): the log is read by people who may
not see every meeting (IT), and its rows cannot be changed afterwards. A caller may pass
a label of its own, which must be as safe. The pages that show events ask
`bookings.secrecy` what their reader may see of the meeting an event is about
(oversight/admin.py), since rows written before this rule may carry a topic.

This module imports nothing from the other apps so that every app may call it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, models, transaction
from django.utils import timezone

from oversight.models import AuditEvent

GENESIS_HASH = "0" * 64
# An arbitrary constant that names the audit chain's lock among PostgreSQL advisory locks.
_PG_LOCK_KEY = 0x4D4F5041_5544  # "MOPAUD"


def _jsonable(data: Mapping[str, Any] | None) -> dict[str, Any]:
    """Dates, decimals, UUIDs... as the JSON they will be stored as, so the hash we
    compute now is the hash of what is read back later."""
    return json.loads(json.dumps(dict(data or {}), cls=DjangoJSONEncoder))


def canonical(event: AuditEvent) -> bytes:
    """The content a row's hash covers, in one fixed serialization."""
    content = {
        "seq": event.seq,
        "created_at": event.created_at.astimezone(dt.UTC).isoformat(timespec="microseconds"),
        "actor_id": event.actor_id,
        "actor_label": event.actor_label,
        "action": event.action,
        "target_type": event.target_type,
        "target_id": event.target_id,
        "target_label": event.target_label,
        "data": event.data,
    }
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def chain_hash(prev_hash: str, event: AuditEvent) -> str:
    return hashlib.sha256(prev_hash.encode() + canonical(event)).hexdigest()


def _chain_locked_last() -> tuple[int, str] | None:
    """Take the chain's lock, then read the last row's (seq, hash), or None for an
    empty log. Two statements on one cursor, in this order: on PostgreSQL the read's
    snapshot is taken after the lock is held, so it sees the row the previous holder
    committed. Written as SQL, not as a queryset, because every audited request pays
    for building it (bench/bookings.py (c))."""
    quote = connection.ops.quote_name
    table = quote(AuditEvent._meta.db_table)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_PG_LOCK_KEY])
        # SQLite: BEGIN IMMEDIATE (settings) already holds the write lock.
        cursor.execute(
            f"SELECT {quote('seq')}, {quote('hash')} FROM {table} "  # noqa: S608 (names only)
            f"ORDER BY {quote('seq')} DESC LIMIT 1"
        )
        return cursor.fetchone()


def target_label(target: models.Model) -> str:
    """How an event names its target when the caller gives no label: the model and the
    id, which carry no business content."""
    return f"{target._meta.model_name} #{target.pk}"


def record(
    *,
    actor: Any | None,
    action: str,
    target: models.Model | None = None,
    data: Mapping[str, Any] | None = None,
    label: str | None = None,
) -> AuditEvent:
    """Append one event. `actor` is the acting user, or None for the system;
    `action` reads `<entity>.<past tense>` (STYLE), e.g. `booking.approved`. `label`
    names the target instead of `target_label(target)`: it must carry nothing that a
    reader of the log may not see (never a topic, an agenda, a reason)."""
    if label is None:
        label = target_label(target) if target is not None else ""
    # Inside the caller's transaction no savepoint is needed: a failure here fails it.
    with transaction.atomic(savepoint=False):
        last = _chain_locked_last()
        seq, prev_hash = (last[0] + 1, last[1]) if last else (1, GENESIS_HASH)
        authenticated = actor is not None and getattr(actor, "is_authenticated", False)
        event = AuditEvent(
            seq=seq,
            created_at=timezone.now(),
            actor=actor if authenticated else None,
            actor_label=(actor.get_username() if authenticated else "")[:254],
            action=action,
            target_type=target._meta.label_lower if target is not None else "",
            target_id=str(target.pk) if target is not None else "",
            target_label=label[:255],
            data=_jsonable(data),
            prev_hash=prev_hash,
        )
        event.hash = chain_hash(prev_hash, event)
        event.save(force_insert=True)
    return event


@dataclass(frozen=True)
class ChainBreak:
    seq: int
    pk: int
    reason: str
    intact_before: int

    def __str__(self) -> str:
        return f"audit event #{self.seq} (id {self.pk}): {self.reason}"


def verify_chain(*, chunk_size: int = 2000) -> Iterator[int | ChainBreak]:
    """Walk the chain from the first row. Yields the count of rows checked so far after
    each chunk, and a ChainBreak for the first row that does not hold, then stops."""
    expected_prev = GENESIS_HASH
    expected_seq = 1
    checked = 0
    for event in AuditEvent.objects.order_by("seq").iterator(chunk_size=chunk_size):
        if event.seq != expected_seq:
            yield ChainBreak(
                event.seq,
                event.pk,
                f"sequence jumps from {expected_seq - 1} to {event.seq}",
                checked,
            )
            return
        if event.prev_hash != expected_prev:
            yield ChainBreak(
                event.seq, event.pk, "does not link to the previous event's hash", checked
            )
            return
        if chain_hash(event.prev_hash, event) != event.hash:
            yield ChainBreak(event.seq, event.pk, "content does not match its hash", checked)
            return
        expected_prev = event.hash
        expected_seq += 1
        checked += 1
        if checked % chunk_size == 0:
            yield checked
    yield checked
