"""Scheduled checks of the audit log (X-3)."""

from celery import shared_task

from oversight.services import audit_chain_check


@shared_task(acks_late=True, autoretry_for=(ConnectionError,), retry_backoff=True, max_retries=5)
def audit_chain_verify() -> dict:
    """Nightly: walk the chain; IT is emailed when it is broken."""
    return audit_chain_check()
