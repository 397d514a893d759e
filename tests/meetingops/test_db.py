"""The shared database expressions give the same answers on PostgreSQL and SQLite."""

from __future__ import annotations

import datetime as dt

import pytest

from meetingops.db import EpochSeconds
from security.models import User
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

MOMENTS = [
    dt.datetime(2026, 12, 7, 1, 0, tzinfo=dt.UTC),  # whole second: SQLite stores no fraction
    dt.datetime(2026, 12, 7, 1, 0, 0, 1, tzinfo=dt.UTC),
    dt.datetime(2027, 6, 30, 23, 59, 59, 999999, tzinfo=dt.UTC),
    dt.datetime(2028, 2, 29, 12, 30, 15, 500000, tzinfo=dt.UTC),
    dt.datetime(2199, 12, 31, 23, 59, 59, 123457, tzinfo=dt.UTC),
]


def test_epoch_seconds_give_each_stored_moment_back_to_the_microsecond():
    users = [UserFactory(date_joined=moment) for moment in MOMENTS]

    seconds = dict(
        User.objects.filter(pk__in=[u.pk for u in users])
        .annotate(seconds=EpochSeconds("date_joined"))
        .values_list("pk", "seconds")
    )

    assert [dt.datetime.fromtimestamp(seconds[u.pk], dt.UTC) for u in users] == MOMENTS
    assert seconds[users[0].pk] == MOMENTS[0].timestamp()
