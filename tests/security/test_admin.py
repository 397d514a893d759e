"""Django admin: branded MeetingOps, signed in through allauth, every change audited
with old and new values, nothing hard-deleted (OV-1, BK-7)."""

from __future__ import annotations

import pytest
from allauth.account.models import EmailAddress
from django.urls import reverse

from oversight import audit
from oversight.models import AuditEvent
from security import roles
from security.models import User
from security.services import user_create
from tests.factories import DepartmentFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def test_admin_sign_in_goes_through_the_allauth_page(client):
    response = client.get(reverse("admin:login"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_admin_is_branded_meetingops(admin_client):
    response = admin_client.get(reverse("admin:index"), HTTP_ACCEPT_LANGUAGE="en")

    assert "MeetingOps administration" in response.content.decode()


def test_an_employee_without_staff_status_is_refused_the_admin(client, user):
    client.force_login(user)

    assert client.get(reverse("admin:index"), follow=True).status_code == 403


def test_changing_a_department_in_admin_is_audited_with_old_and_new_values(admin_client):
    parent = DepartmentFactory(name="HQ", code="hq")
    department = DepartmentFactory(name="Sales", code="sales")

    response = admin_client.post(
        reverse("admin:security_department_change", args=[department.pk]),
        {"name": "Sales East", "code": "sales", "parent": parent.pk, "is_active": "on"},
    )

    assert response.status_code == 302
    event = AuditEvent.objects.get(action="department.changed")
    assert event.target_id == str(department.pk)
    assert event.data["changes"]["name"] == {"old": "Sales", "new": "Sales East"}
    assert event.data["changes"]["parent"] == {
        "old": None,
        "new": {"id": parent.pk, "label": "HQ"},
    }


def test_saving_without_changes_records_nothing(admin_client):
    department = DepartmentFactory(name="Sales", code="sales")

    response = admin_client.post(
        reverse("admin:security_department_change", args=[department.pk]),
        {"name": "Sales", "code": "sales", "parent": "", "is_active": "on"},
    )

    assert response.status_code == 302  # saved, not refused
    assert not AuditEvent.objects.filter(action="department.changed").exists()


def new_user_form(department=None, **fields) -> dict:
    return {
        "email": "New.Hire@Example.com",
        "name": "New Hire",
        "department": department.pk if department else "",
        "usable_password": "true",
        "password1": "Correct-horse-42!",
        "password2": "Correct-horse-42!",
        **fields,
    }


def test_a_user_created_in_admin_can_sign_in_with_a_trusted_address(admin_client, client):
    response = admin_client.post(reverse("admin:security_user_add"), new_user_form())

    assert response.status_code == 302
    user = User.objects.get(email="new.hire@example.com")
    assert EmailAddress.objects.get(user=user).verified
    assert user.password_changed_at is not None  # SE-2: expiry counts from creation
    assert client.login(username="new.hire@example.com", password="Correct-horse-42!")


def test_a_user_created_in_admin_is_audited_once_as_user_create_audits(admin_client):
    department = DepartmentFactory(code="sales")
    actor = User.objects.get(pk=admin_client.session["_auth_user_id"])
    elsewhere = user_create(email="seeded@example.com", password=None, actor=actor)
    seeded = AuditEvent.objects.get(action="user.created", target_id=str(elsewhere.pk))
    before = AuditEvent.objects.count()

    response = admin_client.post(reverse("admin:security_user_add"), new_user_form(department))

    assert response.status_code == 302
    user = User.objects.get(email="new.hire@example.com")
    assert AuditEvent.objects.count() == before + 1
    event = AuditEvent.objects.latest("seq")
    assert (event.action, event.actor_id, event.target_id) == (
        "user.created",
        actor.pk,
        str(user.pk),
    )
    assert event.data == {
        "email": "new.hire@example.com",
        "department": "sales",
        "groups": [],
        "is_staff": False,
        "is_superuser": False,
    }
    assert event.data.keys() == seeded.data.keys()
    assert "Correct-horse-42!" not in str(event.data)


def test_a_user_created_in_admin_without_a_password_cannot_sign_in_with_one(admin_client):
    response = admin_client.post(
        reverse("admin:security_user_add"),
        new_user_form(usable_password="false", password1="", password2=""),
    )

    assert response.status_code == 302
    assert not User.objects.get(email="new.hire@example.com").has_usable_password()
    assert AuditEvent.objects.filter(action="user.created").count() == 1


@pytest.mark.parametrize(
    "fields",
    [
        {"password2": "Other-horse-42!"},  # the passwords differ
        {"password1": "short", "password2": "short"},  # the password policy refuses it
        {"email": "TAKEN@example.com"},  # another account has it, in another case
        {"email": "not an address"},
    ],
)
def test_a_refused_user_form_in_admin_creates_nothing_and_audits_nothing(admin_client, fields):
    UserFactory(email="taken@example.com")
    users, events = User.objects.count(), AuditEvent.objects.count()

    response = admin_client.post(reverse("admin:security_user_add"), new_user_form(**fields))

    assert response.status_code == 200
    assert response.context["adminform"].form.errors
    assert User.objects.count() == users
    assert AuditEvent.objects.count() == events


def test_a_user_is_not_created_in_admin_when_its_audit_entry_fails(admin_client, monkeypatch):
    def refuse(**kwargs):
        raise RuntimeError("audit log unavailable")

    monkeypatch.setattr("security.services.audit.record", refuse)

    with pytest.raises(RuntimeError):
        admin_client.post(reverse("admin:security_user_add"), new_user_form())

    assert not User.objects.filter(email="new.hire@example.com").exists()


def test_a_password_set_in_admin_is_audited_without_the_password(admin_client, client):
    user = UserFactory()
    url = reverse("admin:auth_user_password_change", args=[user.pk])

    response = admin_client.post(
        url,
        {"usable_password": "true", "password1": "Fresh-horse-43!", "password2": "Fresh-horse-43!"},
    )

    assert response.status_code == 302
    assert client.login(username=user.email, password="Fresh-horse-43!")
    event = AuditEvent.objects.get(action="user.password_set_by_admin")
    assert event.target_id == str(user.pk)
    assert "Fresh-horse-43!" not in str(event.data)


def test_a_refused_password_change_in_admin_is_not_audited(admin_client):
    user = UserFactory()
    before = User.objects.get(pk=user.pk).password

    # Django refuses "no password" sent with the "set password" button, and redirects.
    response = admin_client.post(
        reverse("admin:auth_user_password_change", args=[user.pk]),
        {"usable_password": "false"},
    )

    assert response.status_code == 302
    assert User.objects.get(pk=user.pk).password == before
    assert not AuditEvent.objects.filter(action="user.password_set_by_admin").exists()


def test_adding_a_user_to_a_role_is_audited(admin_client):
    user = UserFactory()
    data = {
        "email": user.email,
        "name": user.name,
        "department": user.department_id,
        "time_zone": user.time_zone,
        "language": user.language,
        "is_active": "on",
        "is_staff": "on",
        "groups": [
            str(g)
            for g in user.groups.model.objects.filter(name=roles.APPROVERS).values_list(
                "pk", flat=True
            )
        ],
        "date_joined_0": "2026-01-01",
        "date_joined_1": "00:00:00",
    }

    response = admin_client.post(reverse("admin:security_user_change", args=[user.pk]), data)

    assert response.status_code == 302, response.content.decode()[-2000:]
    event = AuditEvent.objects.get(action="user.changed")
    assert event.data["changes"]["groups"]["new"][0]["label"] == roles.APPROVERS
    assert event.data["changes"]["is_staff"] == {"old": False, "new": True}


@pytest.mark.parametrize("model", ["user", "department", "auditevent"])
def test_admin_offers_no_delete(admin_client, model):
    obj = {
        "user": UserFactory,
        "department": DepartmentFactory,
        "auditevent": lambda: audit.record(actor=None, action="thing.done"),
    }[model]()
    app = "oversight" if model == "auditevent" else "security"

    response = admin_client.post(
        reverse(f"admin:{app}_{model}_delete", args=[obj.pk]), {"post": "yes"}
    )

    assert response.status_code == 403
    assert type(obj).objects.filter(pk=obj.pk).exists()


def test_audit_events_are_read_only_in_admin(admin_client):
    event = audit.record(actor=None, action="thing.done")

    page = admin_client.get(reverse("admin:oversight_auditevent_change", args=[event.pk]))
    admin_client.post(
        reverse("admin:oversight_auditevent_change", args=[event.pk]), {"action": "x"}
    )

    assert page.status_code == 200
    assert AuditEvent.objects.get(pk=event.pk).action == "thing.done"
    assert admin_client.get(reverse("admin:oversight_auditevent_add")).status_code == 403
