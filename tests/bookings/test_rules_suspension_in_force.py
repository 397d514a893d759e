"""Item 11: the suspension check every booking request runs finds what the queryset
finds (on PostgreSQL a plain statement asks first whether there is any)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db.models import F
from django.utils import timezone

from bookings import rules
from bookings.models import BookingSuspension
from tests.factories import SuspensionFactory, UserFactory

pytestmark = pytest.mark.django_db


def _queried(user, now):
    return (
        BookingSuspension.objects.filter(rules.suspensions_in_force_at(now), user=user)
        .order_by(F("end").desc(nulls_first=True))
        .first()
    )


@pytest.mark.parametrize(
    ("kind", "in_force"),
    [("week", True), ("removal", True), ("lifted", False), ("later", False), ("other", False)],
)
def test_a_suspension_is_found_exactly_when_it_is_in_force(kind, in_force):
    user = UserFactory()
    now = timezone.now()
    extra = {
        "week": {},
        "removal": {"removal": True},
        "lifted": {"lifted": True},
        "later": {"start": now + dt.timedelta(days=1)},
        "other": {"user": UserFactory()},
    }[kind]
    SuspensionFactory(**{"user": user, **extra})

    found = rules.suspension_in_force(user=user, now=now)

    assert (found is not None) is in_force
    assert found == _queried(user, now)


def test_a_removal_is_named_before_a_suspension():
    user = UserFactory()
    SuspensionFactory(user=user)
    removal = SuspensionFactory(user=user, removal=True)

    assert rules.suspension_in_force(user=user, now=timezone.now()) == removal
