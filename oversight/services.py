"""Oversight services."""

from __future__ import annotations

import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.utils import translation
from django.utils.translation import gettext_lazy

from oversight import audit
from oversight.models import AuditEvent
from security.selectors import it_alert_recipients

logger = logging.getLogger(__name__)


def audit_chain_check() -> dict:
    """OV-1: verify the whole chain. A break is logged and mailed to IT; an intact
    chain's head (sequence and hash) is logged so it can be compared with later runs."""
    checked = 0
    for step in audit.verify_chain():
        if isinstance(step, audit.ChainBreak):
            logger.error("Audit chain broken at %s", step)
            it_alert_send(
                gettext_lazy("[MeetingOps] The audit log has been tampered with"),
                gettext_lazy(
                    "The nightly check of the audit log found a break at %(where)s. "
                    "%(checked)s events before it are intact. Investigate who changed "
                    "the database and record an incident."
                ),
                where=step,
                checked=step.intact_before,
            )
            return {"ok": False, "checked": step.intact_before, "broken_seq": step.seq}
        checked = step
    head = AuditEvent.objects.order_by("-seq").values_list("seq", "hash").first()
    logger.info("Audit chain intact: %s events, head %s", checked, head)
    return {"ok": True, "checked": checked, "head": list(head) if head else None}


def it_alert_send(subject: str, body: str, **params) -> int:
    """Mail an alert to IT (IT_ALERT_EMAILS and the IT group), each in their language:
    an IT member's own, the company's for an address that is no one's account or whose
    owner chose none. `subject` and `body` are lazy translations, filled with `params`
    in that language. Returns how many messages went out (none without recipients); a
    mail server error is raised, for the caller's retry."""
    recipients = it_alert_recipients()
    if not recipients:
        return 0
    chosen = dict(
        get_user_model()
        .objects.filter(email__in=recipients)
        .exclude(language="")
        .values_list("email", "language")
    )
    by_language: dict[str, list[str]] = {}
    for email in recipients:
        by_language.setdefault(chosen.get(email) or settings.LANGUAGE_CODE, []).append(email)
    sent = 0
    for language, emails in by_language.items():
        with translation.override(language):
            sent += send_mail(str(subject) % params, str(body) % params, None, emails)
    return sent


def task_failure_report(*, task_name: str, task_id: str, error: BaseException, retries: int) -> int:
    """X-3: a job that failed for good (its retries used up, or not retried) is logged
    and mailed to IT. Returns how many were mailed; a mail server that is down (often
    the very failure) leaves the log line alone."""
    logger.error("Task %s (%s) failed after %s retries: %r", task_name, task_id, retries, error)
    try:
        return it_alert_send(
            gettext_lazy("[MeetingOps] A background job failed: %(task)s"),
            gettext_lazy(
                "The job %(task)s (ID %(id)s) failed after %(retries)s retries and will not "
                "be tried again.\n\nError: %(error)s\n\nCheck the worker's log for the "
                "details, fix the cause, and run the job again if what it does is still "
                "needed."
            ),
            task=task_name,
            id=task_id,
            retries=retries,
            error=repr(error)[:500],
        )
    except OSError:
        logger.exception("Could not mail IT about the failed task %s (%s)", task_name, task_id)
        return 0
