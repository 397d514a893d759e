"""Item 11: the policy in force, read as one plain statement, is the highest version
with every field as the queryset reads it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.forms.models import model_to_dict

from bookings import rules
from bookings.models import UsagePolicy

pytestmark = pytest.mark.django_db


def test_the_highest_version_is_read_with_every_field():
    UsagePolicy.objects.all().delete()
    UsagePolicy.objects.create(version=3, min_advance_hours=2, workday_start=dt.time(9))
    UsagePolicy.objects.create(version=7, max_duration_minutes=90, allowed_weekdays="1,2,3")
    UsagePolicy.objects.create(version=5, auto_approve=True)

    current = rules.policy_current()
    queried = UsagePolicy.objects.order_by("-version").first()

    assert current.version == 7
    assert current.pk == queried.pk
    assert model_to_dict(current) == model_to_dict(queried)
    assert current.created_at == queried.created_at
    assert current.workday_start == queried.workday_start


def test_no_policy_at_all_is_an_unsaved_version_zero():
    UsagePolicy.objects.all().delete()

    current = rules.policy_current()

    assert current.version == 0
    assert current.pk is None
