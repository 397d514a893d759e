"""Booking emails, sent by the worker after the change commits (X-3), and the nightly
check that no room is double-booked (BK-3)."""

from celery import shared_task

from bookings.notifications import booking_notify
from bookings.overlaps import overlaps_check


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
