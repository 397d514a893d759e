"""OV-1: the audit log is append-only and hash-chained."""

from __future__ import annotations

import threading

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, connections, transaction

from oversight import audit
from oversight.models import AuditEvent
from tests.factories import DepartmentFactory, UserFactory

pytestmark = pytest.mark.django_db


def _verify() -> str:
    from io import StringIO

    out = StringIO()
    call_command("verify_audit", stdout=out)
    return out.getvalue()


def test_record_links_each_event_to_the_previous_one():
    actor = UserFactory()
    first = audit.record(actor=actor, action="thing.done")
    second = audit.record(actor=actor, action="thing.redone", data={"n": 2})

    assert first.prev_hash == audit.GENESIS_HASH
    assert second.prev_hash == first.hash
    assert second.seq == first.seq + 1


def test_record_keeps_actor_target_and_data_as_read_back():
    actor = UserFactory(email="ann@example.com")
    department = DepartmentFactory(name="Finance")

    event = audit.record(
        actor=actor, action="department.renamed", target=department, data={"old": "Fin"}
    )

    stored = AuditEvent.objects.get(pk=event.pk)
    assert stored.actor == actor
    assert stored.actor_label == "ann@example.com"
    assert (stored.target_type, stored.target_id) == ("security.department", str(department.pk))
    assert stored.target_label == f"department #{department.pk}"
    assert stored.data == {"old": "Fin"}


def test_an_events_label_names_its_target_by_model_and_id_never_by_its_content():
    """A booking's str() is its topic, which may be confidential (SE-5); the log's
    readers (IT) may not see it, and a row cannot be changed afterwards."""
    from bookings.models import Booking

    secret = Booking(pk=12, topic="Merger talks")

    event = audit.record(actor=None, action="booking.requested", target=secret)

    assert event.target_label == "booking #12"
    assert "Merger" not in audit.canonical(event).decode()


def test_a_caller_may_name_the_target_itself():
    department = DepartmentFactory(name="Finance")

    event = audit.record(
        actor=None, action="department.renamed", target=department, label="department Finance"
    )

    assert event.target_label == "department Finance"


def test_record_by_the_system_has_no_actor():
    event = audit.record(actor=None, action="job.ran")

    assert event.actor is None
    assert event.actor_label == ""


def test_an_event_exists_only_if_the_callers_transaction_commits():
    def change_that_fails() -> None:
        with transaction.atomic():
            audit.record(actor=None, action="thing.done")
            raise RuntimeError("the change failed")

    with pytest.raises(RuntimeError):
        change_that_fails()

    assert not AuditEvent.objects.filter(action="thing.done").exists()


def test_data_with_dates_and_decimals_still_verifies():
    import datetime as dt
    from decimal import Decimal

    audit.record(
        actor=None,
        action="thing.priced",
        data={"when": dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.UTC), "price": Decimal("1.10")},
    )

    assert "1 events verified" in _verify()


def test_verify_audit_passes_on_an_intact_chain():
    for n in range(5):
        audit.record(actor=None, action="thing.done", data={"n": n, "text": "会议"})

    assert "5 events verified" in _verify()


def _tamper(sql: str, params: list) -> None:
    """Change a row behind the application's back, as someone with the table owner's
    rights would: on PostgreSQL that means switching the guard trigger off first."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Deferred foreign-key checks must run before the table can be altered.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("ALTER TABLE oversight_auditevent DISABLE TRIGGER USER")
        cursor.execute(sql, params)
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE oversight_auditevent ENABLE TRIGGER USER")


@pytest.mark.parametrize(
    ("sql", "broken_index", "reason"),
    [
        ("UPDATE oversight_auditevent SET action = 'thing.hidden' WHERE seq = %s", 3, "content"),
        ("UPDATE oversight_auditevent SET data = '{\"n\": 99}' WHERE seq = %s", 3, "content"),
        (
            "UPDATE oversight_auditevent SET actor_id = NULL, actor_label = 'nobody' "
            "WHERE seq = %s",
            3,
            "content",
        ),
        ("UPDATE oversight_auditevent SET target_id = '999' WHERE seq = %s", 3, "content"),
        (
            "UPDATE oversight_auditevent SET created_at = '2000-01-01 00:00:00+00' WHERE seq = %s",
            3,
            "content",
        ),
        ("DELETE FROM oversight_auditevent WHERE seq = %s", 4, "sequence jumps"),
    ],
    ids=[
        "action-changed",
        "data-changed",
        "actor-changed",
        "target-changed",
        "time-changed",
        "row-deleted",
    ],
)
def test_verify_audit_fails_naming_the_first_tampered_row(sql, broken_index, reason):
    events = [audit.record(actor=None, action="thing.done", data={"n": n}) for n in range(6)]
    _tamper(sql, [events[3].seq])

    with pytest.raises(CommandError) as failure:
        _verify()

    message = str(failure.value)
    assert f"#{events[broken_index].seq} " in message
    assert reason in message
    assert "3 events before it hold" in message


def test_verify_audit_fails_when_a_hash_is_rewritten_to_match_its_row():
    """Recomputing one row's hash after editing it still breaks the next link."""
    events = [audit.record(actor=None, action="thing.done", data={"n": n}) for n in range(3)]
    forged = AuditEvent.objects.get(pk=events[1].pk)
    forged.action = "thing.forged"
    new_hash = audit.chain_hash(forged.prev_hash, forged)
    _tamper(
        "UPDATE oversight_auditevent SET action = %s, hash = %s WHERE seq = %s",
        ["thing.forged", new_hash, forged.seq],
    )

    with pytest.raises(CommandError, match=rf"#{events[2].seq} .*previous event's hash"):
        _verify()


@pytest.mark.postgres
@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE oversight_auditevent SET action = 'x' WHERE seq = %s",
        "DELETE FROM oversight_auditevent WHERE seq = %s",
    ],
    ids=["update", "delete"],
)
def test_postgresql_refuses_update_and_delete_of_audit_events(sql):
    event = audit.record(actor=None, action="thing.done")

    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        connection.cursor().execute(sql, [event.seq])

    assert AuditEvent.objects.get(pk=event.pk).action == "thing.done"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_writers_keep_one_chain():
    """Threads each with its own connection append at once; the advisory lock makes
    them take turns, so the chain has no fork and no gap."""
    writers, per_writer = 8, 25
    barrier = threading.Barrier(writers)
    errors: list[BaseException] = []

    def write(n: int) -> None:
        try:
            barrier.wait()
            for i in range(per_writer):
                with transaction.atomic():
                    audit.record(actor=None, action="thing.done", data={"writer": n, "i": i})
        except BaseException as error:
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=write, args=(n,)) for n in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert AuditEvent.objects.count() == writers * per_writer
    assert list(AuditEvent.objects.order_by("seq").values_list("seq", flat=True)) == list(
        range(1, writers * per_writer + 1)
    )
    assert f"{writers * per_writer} events verified" in _verify()
