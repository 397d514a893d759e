"""Booking emails, sent by the worker after the change commits (X-3), the nightly
check that no room is double-booked (BK-3), and the reminders due (BK-12)."""

from celery import shared_task
from django.db import connection
from django.utils import timezone

from bookings import reminders
from bookings.notifications import booking_notify
from bookings.overlaps import overlaps_check

# A backlog larger than this (about what one worker sends in a few seconds) is shared:
# the task queues a twin before it starts, which another worker takes.
REMINDERS_SPREAD_OVER = 200


@shared_task(
    bind=True,
    name="bookings.tasks.booking_notify",
    acks_late=True,
    autoretry_for=(OSError,),
    retry_backoff=True,
    max_retries=5,
)
def booking_notify_task(
    self,
    *,
    booking_id: int,
    kind: str,
    occurrence_ids=(),
    reason: str = "",
    moved: bool = True,
    emails=(),
    organizer: bool = False,
) -> int:
    # The task id names the notification: Celery's retry re-sends the message with the
    # same id (Task.retry → signature_from_request), and an acks_late redelivery is the
    # same message; eager mode (apply) retries with it too. So a retry or a redelivery
    # mails only the recipients not yet reached (bookings.notifications). Called
    # directly, outside Celery, there is no id and nothing to retry.
    return booking_notify(
        booking_id=booking_id,
        kind=kind,
        occurrence_ids=occurrence_ids,
        reason=reason,
        key=self.request.id,
        moved=moved,
        emails=emails,
        organizer=organizer,
    )


@shared_task(
    name="bookings.tasks.overlaps_check",
    acks_late=True,
    autoretry_for=(OSError,),
    retry_backoff=True,
    max_retries=5,
)
def overlaps_check_task() -> dict:
    """Nightly (beat, scheduled by bookings' migration): IT is emailed of any room
    double-booked. A read and at most one alert, so a retry or a redelivery is harmless."""
    return overlaps_check()


@shared_task(
    bind=True,
    name="bookings.tasks.reminders_send",
    acks_late=True,
    reject_on_worker_lost=True,
)
def reminders_send_task(self) -> int:
    """BK-12, every minute (beat, scheduled by bookings' migration 0017): send the
    reminders due. Safe to run twice or at once on two workers: each row is claimed
    with a row lock and marked in the claim's transaction (bookings.reminders). Not
    retried with a countdown (no ETA tasks): the next minute's run is the retry.

    A backlog (the worker was down, or many meetings start at once) is shared: while
    more than REMINDERS_SPREAD_OVER rows are due, the task queues one twin before it
    starts sending, which a free worker takes; each twin does the same, so every worker
    joins while the backlog lasts, and the chain stops once it is gone. Not on SQLite,
    whose one worker sends alone, nor when run eagerly (a test's thread)."""
    now = timezone.now()
    if (
        not self.request.is_eager
        and connection.features.has_select_for_update_skip_locked
        and reminders.reminders_backlog(now=now) > REMINDERS_SPREAD_OVER
    ):
        reminders_send_task.delay()
    return reminders.reminders_send_due(now=now).sent
