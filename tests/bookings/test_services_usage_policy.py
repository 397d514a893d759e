"""BK-2: the usage policy is versioned. A change adds the next version from the one in
force; an older version is history, refused by the service (not only by the admin)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import translation

from bookings.models import UsagePolicy
from bookings.services import PolicyVersionOld, usage_policy_create, usage_policy_update
from meetingops.updates import ModelInvalid
from oversight.models import AuditEvent
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def it_member(db):
    return UserFactory(email="it@example.com", is_staff=True, groups=["IT"])


def test_updating_the_policy_in_force_adds_the_next_version_and_keeps_the_old(it_member, policy):
    new = usage_policy_update(policy=policy, actor=it_member, data={"min_advance_hours": 48})

    assert (new.version, new.min_advance_hours, new.created_by) == (2, 48, it_member)
    assert new.max_duration_minutes == policy.max_duration_minutes  # the rest carried over
    assert UsagePolicy.objects.get(pk=policy.pk).min_advance_hours == 24
    event = AuditEvent.objects.get(action="usagepolicy.created")
    assert (event.actor, event.target_id) == (it_member, str(new.pk))
    assert (event.data["version"], event.data["previous_version"]) == (2, 1)
    assert event.data["changes"] == {"min_advance_hours": {"old": 24, "new": 48}}


def test_an_old_version_cannot_be_updated(it_member, policy):
    usage_policy_update(policy=policy, actor=it_member, data={"min_advance_hours": 48})
    events = AuditEvent.objects.count()

    with translation.override("en"), pytest.raises(PolicyVersionOld) as refused:
        usage_policy_update(policy=policy, actor=it_member, data={"horizon_days": 30})

    assert refused.value.code == "policy_version_old"
    assert "v2" in refused.value.detail
    assert UsagePolicy.objects.count() == 2
    assert AuditEvent.objects.count() == events


def test_an_update_that_changes_nothing_adds_no_version(it_member, policy):
    same = usage_policy_update(policy=policy, actor=it_member, data={"min_advance_hours": 24})

    assert same.pk == policy.pk
    assert UsagePolicy.objects.count() == 1
    assert not AuditEvent.objects.exists()


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"workday_start": dt.time(20, 0), "workday_end": dt.time(8, 0)}, None),
        ({"allowed_weekdays": "1,9"}, "allowed_weekdays"),
        ({"max_duration_minutes": 5}, "max_duration_minutes"),
    ],
)
def test_a_policy_the_rules_refuse_adds_no_version(it_member, policy, data, field):
    with pytest.raises(ModelInvalid) as refused:
        usage_policy_update(policy=policy, actor=it_member, data=data)

    assert field is None or field in refused.value.fields
    assert UsagePolicy.objects.count() == 1
    assert not AuditEvent.objects.exists()


def test_usage_policy_create_states_what_changed_from_the_version_in_force(it_member, policy):
    values = {"min_advance_hours": 12, "auto_approve": True}

    new = usage_policy_create(actor=it_member, values=values)

    assert (new.version, new.min_advance_hours, new.auto_approve) == (2, 12, True)
    event = AuditEvent.objects.get(action="usagepolicy.created")
    assert event.data["changes"] == {
        "min_advance_hours": {"old": 24, "new": 12},
        "auto_approve": {"old": False, "new": True},
    }
