"""Booking emails, sent by the worker after the change commits (X-3), the nightly
check that no room is double-booked (BK-3), the reminders due (BK-12), and the
organizers' digests of answers (BK-11), every minute; no-shows, completed meetings and
attendance (BK-13)."""

import dataclasses

from celery import shared_task
from django.db import connection
from django.utils import timezone

from bookings import reminders
from bookings.digests import answer_digests_send
from bookings.notifications import booking_notify
from bookings.overlaps import overlaps_check
from bookings.services.attendance import meetings_close_due

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


@shared_task(
    name="bookings.tasks.answer_digests_send",
    acks_late=True,
    reject_on_worker_lost=True,
)
def answer_digests_send_task() -> int:
    """BK-11, every minute (beat, scheduled by bookings' migration 0020): the
    organizers' digests of answers that are due. Each is claimed, sent and marked in
    one transaction, so a twin run or a redelivery sends none twice. Not retried with
    a countdown (no ETA tasks): a digest whose mail server was down stays due, and the
    next minute's run is the retry."""
    return answer_digests_send()


@shared_task(name="bookings.tasks.meetings_close_due", acks_late=True, reject_on_worker_lost=True)
def meetings_close_due_task() -> dict:
    """Every minute (beat, scheduled by bookings' migration 0018): BK-13's no-shows,
    completed meetings and attendance. Each meeting moves under its booking's lock and is
    checked again under it, so a redelivery, a run that overlaps the next one or two
    workers at once move it once; nothing is retried here, as the next minute's run
    picks up whatever this one left."""
    return dataclasses.asdict(meetings_close_due())


# BK-17: a run can repeat safely (the row is claimed, and a row in sync is left alone),
# so a redelivery after a worker died only finishes the work. The row counts the
# attempts and bounds them (remote_meetings.MAX_ATTEMPTS); this bound only stops a
# message that keeps coming back.
PROVIDER_TASK_MAX_RETRIES = 20


@shared_task(bind=True, name="bookings.tasks.provider_meeting_sync", acks_late=True)
def provider_meeting_sync_task(self, *, meeting_id: int) -> str:
    """Create, update or cancel a booking's meeting at its remote provider, after the
    transaction that wanted it committed; a transient failure is retried with backoff
    (the countdown is the row's `next_attempt_at`)."""
    from bookings.services.remote_meetings import CLAIM, provider_meeting_sync

    outcome = provider_meeting_sync(
        meeting_id=meeting_id, final=self.request.retries >= PROVIDER_TASK_MAX_RETRIES
    )
    if outcome.status == "retry":
        raise self.retry(countdown=outcome.countdown, max_retries=PROVIDER_TASK_MAX_RETRIES)
    if outcome.status == "busy" and self.request.retries < PROVIDER_TASK_MAX_RETRIES:
        # Another run holds the row: look again once its claim has passed.
        raise self.retry(
            countdown=int(CLAIM.total_seconds()), max_retries=PROVIDER_TASK_MAX_RETRIES
        )
    return outcome.status


@shared_task(
    name="bookings.tasks.provider_meeting_alert",
    acks_late=True,
    autoretry_for=(OSError,),
    retry_backoff=True,
    max_retries=5,
)
def provider_meeting_alert_task(*, meeting_id: int) -> int:
    """IT is mailed that a provider meeting failed (one alert per failure)."""
    from bookings.services.remote_meetings import provider_meeting_alert

    return provider_meeting_alert(meeting_id=meeting_id)


@shared_task(name="bookings.tasks.provider_meetings_due", acks_late=True)
def provider_meetings_due_task() -> int:
    """Beat (every 5 minutes, bookings' migration 0019): queue provider meetings whose
    retry is overdue, should a retry's message have been lost."""
    from bookings.services.remote_meetings import provider_meetings_due

    return provider_meetings_due()
