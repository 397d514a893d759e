"""The user model: email is the login (SE-1), and the company's role groups."""

from __future__ import annotations

import importlib

import pytest
from django.contrib.auth import authenticate, get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from security import roles
from security.models import Department, User
from tests.factories import DepartmentFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_the_user_model_is_securitys():
    assert get_user_model() is User


def test_create_user_normalizes_the_email_and_records_the_password_time():
    user = User.objects.create_user("Ann.Lee@Example.COM", "Correct-horse-42!")

    assert user.email == "ann.lee@example.com"
    assert user.password_changed_at is not None
    assert user.check_password("Correct-horse-42!")
    assert (user.is_staff, user.is_superuser) == (False, False)


def test_email_is_unique_whatever_its_case():
    User.objects.create_user("ann@example.com", "Correct-horse-42!")

    # Past the manager (which lowercases) and the form checks: the database refuses it.
    with pytest.raises(IntegrityError), transaction.atomic():
        User(email="ANN@example.com", name="Ann again").save()


def test_sign_in_by_email_ignores_case():
    UserFactory(email="ann@example.com")

    assert authenticate(email="ANN@Example.com", password=UserFactory.PASSWORD) is not None


def test_create_superuser_is_staff_and_superuser():
    admin = User.objects.create_superuser("root@example.com", "Correct-horse-42!")

    assert (admin.is_staff, admin.is_superuser) == (True, True)


def test_user_defaults_to_the_company_time_zone_and_the_browsers_language():
    user = UserFactory()

    assert user.time_zone == "Asia/Shanghai"
    assert user.language == ""


def test_an_unknown_time_zone_is_refused():
    user = UserFactory.build(time_zone="Mars/Olympus")

    with pytest.raises(ValidationError) as error:
        user.full_clean(exclude=["password"])

    assert "time_zone" in error.value.message_dict


def test_display_name_falls_back_to_the_email():
    assert str(UserFactory.build(name="", email="bo@example.com")) == "bo@example.com"
    assert str(UserFactory.build(name="王伟")) == "王伟"


def test_departments_form_a_tree():
    company = DepartmentFactory(name="Company", code="co")
    it = DepartmentFactory(name="IT", code="it", parent=company)
    ops = DepartmentFactory(name="Operations", code="ops", parent=it)

    assert ops.ancestors() == [it, company]
    assert list(company.children.all()) == [it]


def test_a_department_cannot_sit_below_its_own_sub_department():
    company = DepartmentFactory(code="co")
    it = DepartmentFactory(code="it", parent=company)
    company.parent = it

    with pytest.raises(ValidationError) as error:
        company.full_clean()

    assert "parent" in error.value.message_dict


def test_a_department_in_use_cannot_be_deleted():
    department = DepartmentFactory()
    UserFactory(department=department)

    with pytest.raises(Exception, match="protected"):
        Department.objects.filter(pk=department.pk).delete()


# The data migrations that grant the roles more permissions, and the mapping each grants.
GRANTING_MIGRATIONS = (
    ("bookings.migrations.0003_first_policy_and_roles", "BOOKING_ROLE_PERMISSIONS"),
    ("bookings.migrations.0004_booking_suspension", "SUSPENSION_ROLE_PERMISSIONS"),
    ("security.migrations.0004_api_token_roles", "API_TOKEN_ROLE_PERMISSIONS"),
    ("bookings.migrations.0009_notification_delivery_roles", "NOTIFICATION_ROLE_PERMISSIONS"),
    ("bookings.migrations.0019_remote_provider_accounts", "REMOTE_ROLE_PERMISSIONS"),
    ("security.migrations.0005_ics_calendar_feed", "CALENDAR_FEED_ROLE_PERMISSIONS"),
)


@pytest.mark.parametrize("role", roles.ROLES)
def test_each_role_group_exists_with_its_permissions(role):
    group = Group.objects.get(name=role)
    granted = {
        f"{app}.{codename}"
        for app, codename in group.permissions.values_list("content_type__app_label", "codename")
    }

    expected = set(roles.ROLE_PERMISSIONS[role])
    for module, name in GRANTING_MIGRATIONS:
        expected |= set(getattr(importlib.import_module(module), name).get(role, ()))
    assert granted == expected


def test_a_member_of_a_role_has_its_permissions():
    supervisor = UserFactory(groups=[roles.SUPERVISORS])
    employee = UserFactory()

    assert supervisor.has_perm("oversight.view_auditevent")
    assert not employee.has_perm("oversight.view_auditevent")
    assert not supervisor.has_perm("security.change_user")
