"""BK-2: the versioned usage policy. The highest version is the one in force; saving
adds a version, and every earlier one stays as it was: history, never updated."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils.translation import gettext as _

from bookings.models import (
    UsagePolicy,
)
from meetingops.errors import InvalidTransition
from meetingops.updates import known_fields_check, model_validate
from oversight import audit

if TYPE_CHECKING:
    from security.models import User

POLICY_FIELDS = tuple(f.name for f in UsagePolicy._meta.fields if f.editable and not f.primary_key)


class PolicyVersionOld(InvalidTransition):
    code = "policy_version_old"


def _latest_locked() -> UsagePolicy | None:
    # Two admins saving at once get consecutive versions: the latest row is locked.
    return UsagePolicy.objects.select_for_update().order_by("-version").first()


def _version_add(
    *, actor: User, values: Mapping[str, Any], previous: UsagePolicy | None
) -> UsagePolicy:
    """Caller holds the latest version's lock (`previous`, None when there is none)."""
    known_fields_check(values, POLICY_FIELDS)
    policy = UsagePolicy(
        **values, version=(previous.version if previous else 0) + 1, created_by=actor
    )
    model_validate(policy)
    policy.save(force_insert=True)
    new = {name: getattr(policy, name) for name in POLICY_FIELDS}
    old = {name: getattr(previous, name) for name in POLICY_FIELDS} if previous else {}
    audit.record(
        actor=actor,
        action="usagepolicy.created",
        target=policy,
        data={
            "version": policy.version,
            "previous_version": previous.version if previous else None,
            "values": new,
            "changes": {
                name: {"old": old.get(name), "new": value}
                for name, value in new.items()
                if old.get(name) != value
            },
        },
    )
    return policy


def usage_policy_create(*, actor: User, values: Mapping[str, Any]) -> UsagePolicy:
    """BK-2: a new version of the usage policy from `values` (a rule not given takes
    its default), in force at once. Audited with its values and what changed from the
    version before. Raises ModelInvalid (working hours that end before they start,
    weekdays that are not 1–7...) and then writes nothing."""
    with transaction.atomic():
        return _version_add(actor=actor, values=values, previous=_latest_locked())


def usage_policy_update(
    *, policy: UsagePolicy, actor: User, data: Mapping[str, Any]
) -> UsagePolicy:
    """BK-2: change the rules of the version in force, which adds the next version (the
    one returned) from `policy`'s values and `data`; `policy` itself stays as it was.
    Only the version in force can be changed: an older one is history
    (PolicyVersionOld). When `data` changes nothing, no version is added and `policy`
    is returned."""
    with transaction.atomic():
        latest = _latest_locked()
        if latest is None or latest.pk != policy.pk:
            raise PolicyVersionOld(
                _(
                    "Version %(version)s of the usage policy is history and cannot be "
                    "changed: change the version in force (v%(latest)s) instead."
                )
                % {"version": policy.version, "latest": latest.version if latest else "–"}
            )
        values = {name: getattr(latest, name) for name in POLICY_FIELDS}
        known_fields_check(data, POLICY_FIELDS)
        if all(values[name] == value for name, value in data.items()):
            return latest
        return _version_add(actor=actor, values={**values, **data}, previous=latest)
