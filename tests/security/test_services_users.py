"""SE-1 / SE-2: departments and accounts are written by their services: validated,
audited with the acting user and old/new values, never a password or its hash; and the
sign-up email-domain rule, asked by the sign-up forms."""

from __future__ import annotations

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth.models import Group

from meetingops.updates import ModelInvalid
from oversight.models import AuditEvent
from security import roles
from security.models import Department, User
from security.services import (
    PasswordRefused,
    SignupDomainRefused,
    department_create,
    department_update,
    signup_domain_check,
    signup_is_open,
    user_password_set,
    user_update,
)
from tests.factories import DepartmentFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def actor(db):
    return UserFactory(email="admin@example.com", is_staff=True, is_superuser=True)


# -- departments ---------------------------------------------------------------------------


def test_department_create_is_audited_with_its_values(actor):
    parent = DepartmentFactory(name="HQ", code="hq")

    department = department_create(actor=actor, name=" Sales ", code="sales", parent=parent)

    assert Department.objects.get(code="sales").parent == parent
    event = AuditEvent.objects.get(action="department.created")
    assert (event.actor, event.target_id) == (actor, str(department.pk))
    assert event.data["values"] == {
        "name": "Sales",
        "code": "sales",
        "parent": {"id": parent.pk, "label": "HQ"},
        "is_active": True,
    }


def test_department_create_refuses_a_code_taken_and_writes_nothing(actor):
    DepartmentFactory(code="sales")
    departments = Department.objects.count()

    with pytest.raises(ModelInvalid) as refused:
        department_create(actor=actor, name="Sales again", code="sales")

    assert "code" in refused.value.fields
    assert Department.objects.count() == departments
    assert not AuditEvent.objects.exists()


def test_department_update_audits_old_and_new(actor):
    department = DepartmentFactory(name="Sales", code="sales")

    updated = department_update(
        department=department, actor=actor, data={"name": "Sales East", "is_active": False}
    )

    assert (updated.name, updated.is_active) == ("Sales East", False)
    assert AuditEvent.objects.get(action="department.changed").data["changes"] == {
        "name": {"old": "Sales", "new": "Sales East"},
        "is_active": {"old": True, "new": False},
    }


@pytest.mark.parametrize("below", ["itself", "its grandchild"])
def test_the_tree_refuses_a_cycle_and_nothing_moves(actor, below):
    top = DepartmentFactory(code="top")
    grandchild = DepartmentFactory(code="grandchild", parent=DepartmentFactory(parent=top))
    parent = top if below == "itself" else grandchild

    with pytest.raises(ModelInvalid) as refused:
        department_update(department=top, actor=actor, data={"parent": parent})

    assert refused.value.code == "department_cycle"
    assert list(refused.value.fields) == ["parent"]
    assert Department.objects.get(pk=top.pk).parent is None
    assert not AuditEvent.objects.exists()


# -- users ---------------------------------------------------------------------------------


def test_user_update_changes_roles_and_audits_them(actor):
    user = UserFactory(groups=[roles.IT])
    approvers = Group.objects.get(name=roles.APPROVERS)

    updated = user_update(user=user, actor=actor, data={"groups": [approvers], "is_staff": True})

    assert list(updated.groups.values_list("name", flat=True)) == [roles.APPROVERS]
    event = AuditEvent.objects.get(action="user.changed")
    assert (event.actor, event.target_id) == (actor, str(user.pk))
    it = Group.objects.get(name=roles.IT)
    assert event.data["changes"] == {
        "is_staff": {"old": False, "new": True},
        "groups": {
            "old": [{"id": it.pk, "label": roles.IT}],
            "new": [{"id": approvers.pk, "label": roles.APPROVERS}],
        },
    }


def test_user_update_closes_an_account(actor):
    user = UserFactory()

    user_update(user=user, actor=actor, data={"is_active": False})

    assert not User.objects.get(pk=user.pk).is_active
    assert AuditEvent.objects.get(action="user.changed").data["changes"] == {
        "is_active": {"old": True, "new": False}
    }


def test_a_new_address_given_by_an_administrator_counts_as_verified(actor):
    user = UserFactory(email="old@example.com")

    user_update(user=user, actor=actor, data={"email": "New@Example.com"})

    assert User.objects.get(pk=user.pk).email == "new@example.com"
    address = EmailAddress.objects.get(user=user, email="new@example.com")
    assert address.verified
    assert address.primary
    assert AuditEvent.objects.get(action="user.changed").data["changes"]["email"] == {
        "old": "old@example.com",
        "new": "new@example.com",
    }


@pytest.mark.parametrize(
    ("data", "field"),
    [({"email": "TAKEN@example.com"}, "email"), ({"time_zone": "Mars/Olympus"}, "time_zone")],
)
def test_user_update_refuses_bad_input_and_changes_nothing(actor, data, field):
    UserFactory(email="taken@example.com")
    user = UserFactory(email="person@example.com", name="Person")

    with pytest.raises(ModelInvalid) as refused:
        user_update(user=user, actor=actor, data={**data, "name": "Renamed"})

    assert field in refused.value.fields
    user.refresh_from_db()
    assert (user.email, user.name) == ("person@example.com", "Person")
    assert not AuditEvent.objects.filter(action="user.changed").exists()


def test_user_update_never_sets_a_password(actor):
    user = UserFactory()

    with pytest.raises(TypeError):
        user_update(user=user, actor=actor, data={"password": "Fresh-horse-43!"})

    assert User.objects.get(pk=user.pk).check_password(UserFactory.PASSWORD)


def test_user_password_set_sets_it_and_audits_neither_password_nor_hash(actor):
    user = UserFactory()

    updated = user_password_set(user=user, actor=actor, password="Fresh-horse-43!")

    stored = User.objects.get(pk=user.pk)
    assert stored.check_password("Fresh-horse-43!")
    assert updated.password == stored.password
    assert stored.password_changed_at is not None
    event = AuditEvent.objects.get(action="user.password_set_by_admin")
    assert (event.actor, event.target_id, event.data) == (actor, str(user.pk), {"usable": True})
    assert "Fresh-horse-43!" not in str(event.data)
    assert stored.password not in str(event.data)


def test_a_password_the_validators_refuse_is_not_set(actor):
    user = UserFactory()

    with pytest.raises(PasswordRefused) as refused:
        user_password_set(user=user, actor=actor, password="12345")

    assert refused.value.code == "password_invalid"
    assert "password" in refused.value.fields
    assert User.objects.get(pk=user.pk).check_password(UserFactory.PASSWORD)
    assert not AuditEvent.objects.exists()


def test_no_password_leaves_the_account_without_one(actor):
    user = UserFactory()

    user_password_set(user=user, actor=actor, password=None)

    assert not User.objects.get(pk=user.pk).has_usable_password()
    assert AuditEvent.objects.get(action="user.password_set_by_admin").data == {"usable": False}


# -- SE-1: sign-up -------------------------------------------------------------------------


def test_signup_domain_check_accepts_only_the_company_domains(settings):
    settings.ALLOWED_SIGNUP_DOMAINS = ["example.com"]

    accepted = signup_domain_check("new.hire@Example.COM")
    with pytest.raises(SignupDomainRefused) as refused:
        signup_domain_check("outsider@gmail.com")

    assert accepted == "new.hire@Example.COM"
    assert refused.value.code == "email_domain_not_allowed"
    assert "@example.com" in refused.value.detail


def test_sign_up_is_open_only_while_domains_are_named(settings):
    settings.ALLOWED_SIGNUP_DOMAINS = []
    closed = signup_is_open()
    settings.ALLOWED_SIGNUP_DOMAINS = ["example.com"]

    assert (closed, signup_is_open()) == (False, True)
