"""BK-2: the versioned usage policy."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import Max

from bookings.models import (
    UsagePolicy,
)
from oversight import audit

if TYPE_CHECKING:
    from security.models import User

POLICY_FIELDS = tuple(f.name for f in UsagePolicy._meta.fields if f.editable and not f.primary_key)


def usage_policy_create(*, actor: User, values: dict, changes: dict) -> UsagePolicy:
    """BK-2: a new version of the usage policy; earlier versions are never updated.
    Two admins saving at once get consecutive versions (the latest row is locked)."""
    with transaction.atomic():
        list(UsagePolicy.objects.select_for_update().order_by("-version")[:1])
        previous = UsagePolicy.objects.aggregate(latest=Max("version"))["latest"] or 0
        policy = UsagePolicy(**values, version=previous + 1, created_by=actor)
        policy.save(force_insert=True)
        audit.record(
            actor=actor,
            action="usagepolicy.created",
            target=policy,
            data={
                "version": policy.version,
                "previous_version": previous or None,
                "values": {name: getattr(policy, name) for name in POLICY_FIELDS},
                "changes": changes,
            },
        )
    return policy
