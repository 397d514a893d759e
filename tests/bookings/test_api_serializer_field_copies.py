"""Item 11: the booking serializers copy their declared fields instead of rebuilding
them (bench/bookings.py (c)); what they check and what they write stay DRF's."""

from __future__ import annotations

import json

import pytest
from rest_framework import serializers

from bookings.api import serializers as api
from tests.bookings.conftest import at, book
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _rebuilt(monkeypatch):
    """DRF's own way for every serializer of the module: each field built again."""
    monkeypatch.setattr(api.Serializer, "get_fields", serializers.Serializer.get_fields)


def test_each_serializer_has_fields_of_its_own_and_leaves_the_declared_ones_unbound():
    first = api.BookingCreateInputSerializer()
    second = api.BookingCreateInputSerializer()

    for name, declared in api.BookingCreateInputSerializer._declared_fields.items():
        assert first.fields[name] is not declared
        assert first.fields[name] is not second.fields[name]
        assert first.fields[name].parent is first
        assert second.fields[name].parent is second
        assert first.fields[name].field_name == name
        assert getattr(declared, "parent", None) is None
    declared = api.BookingCreateInputSerializer._declared_fields["topic"]
    checks = len(declared.validators)
    first.fields["topic"].validators.append(lambda value: None)
    assert len(second.fields["topic"].validators) == len(declared.validators) == checks


def test_a_booking_is_written_as_drf_writes_it(organizer, room, policy, monkeypatch):
    guest = UserFactory()
    booking = book(organizer, room, at(2, "10:00"), at(2, "11:00"), agenda="Plan")
    booking.attendees.create(user=guest)
    booking.attendees.create(email="guest@example.com")
    from bookings import selectors

    shown = selectors.booking_get_visible(booking_id=booking.pk, viewer=organizer)
    copied = api.BookingOutputSerializer(shown, context={"viewer": organizer}).data
    with monkeypatch.context() as patch:
        _rebuilt(patch)
        shown = selectors.booking_get_visible(booking_id=booking.pk, viewer=organizer)
        walked = api.BookingOutputSerializer(shown, context={"viewer": organizer}).data

    assert json.dumps(copied) == json.dumps(walked)
    assert copied["attendees"]["guests"] == 1
    assert [u["id"] for u in copied["attendees"]["users"]] == [guest.pk]


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"room": 0, "start": "tomorrow", "topic": "x" * 201, "expected_headcount": 10**9},
        {
            "room": "x",
            "start": "2026-12-09T10:00:00",
            "end": "2026-12-09T11:00:00+08:00",
            "topic": "Plan",
            "expected_headcount": 2,
            "mode": "carrier pigeon",
            "attendee_emails": ["not an address"],
            "attendee_user_ids": [0, 2**63],
            "recurrence": {"freq": 3, "weekdays": ["a"]},
        },
    ],
)
def test_a_request_is_checked_as_drf_checks_it(room, data, monkeypatch):
    copied = api.BookingCreateInputSerializer(data=data)
    copied.is_valid()
    with monkeypatch.context() as patch:
        _rebuilt(patch)
        walked = api.BookingCreateInputSerializer(data=data)
        walked.is_valid()

    assert copied.errors
    assert json.loads(json.dumps(copied.errors)) == json.loads(json.dumps(walked.errors))


def test_a_valid_request_reads_as_drf_reads_it(room, monkeypatch):
    data = {
        "room": room.pk,
        "start": at(2, "10:00").isoformat(),
        "end": at(2, "11:00").isoformat(),
        "topic": "Plan",
        "expected_headcount": 2,
        "attendee_emails": ["Guest@Example.com"],
        "recurrence": {"freq": "weekly", "count": 3},
    }
    copied = api.BookingCreateInputSerializer(data=data)
    assert copied.is_valid(), copied.errors
    with monkeypatch.context() as patch:
        _rebuilt(patch)
        walked = api.BookingCreateInputSerializer(data=data)
        assert walked.is_valid()

    assert copied.validated_data == walked.validated_data
