"""The demo data of the embedded product: one person per role, safe to run again."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from meetingops.management.commands.seed_demo import DEMO_PASSWORD
from oversight.models import AuditEvent
from security import roles
from security.models import Department, User

pytestmark = pytest.mark.django_db


def _seed() -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def test_demo_has_an_admin_each_role_and_employees_in_two_departments():
    output = _seed()

    assert User.objects.get(email="admin@example.com").is_superuser
    for role in (roles.APPROVERS, roles.IT, roles.SUPERVISORS):
        member = User.objects.get(groups__name=role)
        assert member.is_staff
        assert member.check_password(DEMO_PASSWORD)
    employees = User.objects.filter(is_staff=False)
    assert employees.values("department").distinct().count() == 2
    assert DEMO_PASSWORD in output


def test_running_it_again_duplicates_nothing_and_keeps_changed_passwords():
    _seed()
    admin = User.objects.get(email="admin@example.com")
    admin.set_password("Changed-by-admin-1!")
    admin.save()
    counts = (User.objects.count(), Department.objects.count(), AuditEvent.objects.count())

    output = _seed()

    assert (User.objects.count(), Department.objects.count(), AuditEvent.objects.count()) == counts
    assert User.objects.get(email="admin@example.com").check_password("Changed-by-admin-1!")
    assert "password unchanged" in output


def test_demo_has_rooms_and_bookings_waiting_confirmed_and_in_a_series():
    from bookings.models import Booking, Room

    _seed()

    assert Room.objects.count() == 4
    statuses = set(Booking.objects.values_list("status", flat=True))
    assert statuses == {Booking.Status.APPROVED, Booking.Status.PENDING}
    assert Booking.objects.filter(recurrence__freq="weekly").exists()
    assert Booking.objects.get(status=Booking.Status.APPROVED).join_url


def test_the_demo_catalogue_is_written_through_the_services_and_audited_once():
    from bookings.models import Provider, Room

    _seed()
    _seed()

    created = AuditEvent.objects.filter(actor=None)
    assert created.filter(action="room.created").count() == Room.objects.count() > 0
    assert created.filter(action="provider.created").count() == Provider.objects.count() == 2
    assert created.filter(action="department.created").count() == Department.objects.count()
