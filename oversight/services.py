"""Oversight services."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.utils import translation
from django.utils.translation import gettext as _

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
            with translation.override(settings.LANGUAGE_CODE):
                send_mail(
                    subject=_("[MeetingOps] The audit log has been tampered with"),
                    message=_(
                        "The nightly check of the audit log found a break at %(where)s. "
                        "%(checked)s events before it are intact. Investigate who changed "
                        "the database and record an incident."
                    )
                    % {"where": step, "checked": step.intact_before},
                    from_email=None,
                    recipient_list=it_alert_recipients(),
                    fail_silently=False,
                )
            return {"ok": False, "checked": step.intact_before, "broken_seq": step.seq}
        checked = step
    head = AuditEvent.objects.order_by("-seq").values_list("seq", "hash").first()
    logger.info("Audit chain intact: %s events, head %s", checked, head)
    return {"ok": True, "checked": checked, "head": list(head) if head else None}
