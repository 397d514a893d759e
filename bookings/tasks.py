"""Booking emails, sent by the worker after the change commits (X-3)."""

from celery import shared_task

from bookings.notifications import booking_notify


@shared_task(
    name="bookings.tasks.booking_notify",
    acks_late=True,
    autoretry_for=(OSError,),
    retry_backoff=True,
    max_retries=5,
)
def booking_notify_task(*, booking_id: int, kind: str, occurrence_ids=(), reason: str = "") -> int:
    return booking_notify(
        booking_id=booking_id, kind=kind, occurrence_ids=occurrence_ids, reason=reason
    )
