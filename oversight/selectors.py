"""Reads of the audit log that other pages show (OV-1)."""

from __future__ import annotations

from django.db import models
from django.db.models import QuerySet

from oversight.models import AuditEvent


def audit_event_list_for_target(*, target: models.Model) -> QuerySet[AuditEvent]:
    """The events about one object, oldest first (its history), with their actors."""
    opts = target._meta
    return (
        AuditEvent.objects.filter(target_type=opts.label_lower, target_id=str(target.pk))
        .select_related("actor")
        .order_by("seq")
    )
