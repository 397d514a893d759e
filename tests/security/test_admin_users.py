"""SE-1 / SE-2 in Django admin: accounts and departments are saved through
security.services, audited once in the services' shape; an administrator's password is
set by user_password_set and audited without the password or its hash; a refusal shows
on the form and saves nothing."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from meetingops.errors import ApplicationError
from oversight.models import AuditEvent
from security import roles
from security.models import Department, User
from tests.factories import DepartmentFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def actor(db):
    return UserFactory(email="admin@example.com", is_staff=True, is_superuser=True)


@pytest.fixture
def admin_client(client, actor):
    client.force_login(actor)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def user_form(user: User, **changes) -> dict:
    data = {
        "email": user.email,
        "name": user.name,
        "department": user.department_id or "",
        "time_zone": user.time_zone,
        "language": user.language,
        "is_active": "on",
        "groups": [str(pk) for pk in user.groups.values_list("pk", flat=True)],
    }
    return {k: v for k, v in {**data, **changes}.items() if v is not None}


def changed_events(user: User):
    return AuditEvent.objects.filter(action="user.changed", target_id=str(user.pk))


def test_changing_a_users_groups_in_admin_is_audited_once_by_the_service(admin_client, actor):
    user = UserFactory(groups=[roles.IT])
    it, approvers = (Group.objects.get(name=n) for n in (roles.IT, roles.APPROVERS))

    response = admin_client.post(
        reverse("admin:security_user_change", args=[user.pk]),
        user_form(user, groups=[str(approvers.pk)]),
    )

    assert response.status_code == 302
    assert list(user.groups.values_list("name", flat=True)) == [roles.APPROVERS]
    event = changed_events(user).get()
    assert event.actor == actor
    assert event.data == {
        "changes": {
            "groups": {
                "old": [{"id": it.pk, "label": roles.IT}],
                "new": [{"id": approvers.pk, "label": roles.APPROVERS}],
            }
        }
    }


def test_closing_an_account_in_admin_is_audited(admin_client):
    user = UserFactory()

    response = admin_client.post(
        reverse("admin:security_user_change", args=[user.pk]), user_form(user, is_active=None)
    )

    assert response.status_code == 302
    assert not User.objects.get(pk=user.pk).is_active
    assert changed_events(user).get().data["changes"] == {"is_active": {"old": True, "new": False}}


def test_admin_writes_a_users_groups_only_through_the_service(admin_client, monkeypatch):
    user = UserFactory()
    approvers = Group.objects.get(name=roles.APPROVERS)
    given = []

    def service(*, user, actor, data):  # writes nothing: admin must not either
        given.append(data)
        return user

    monkeypatch.setattr("security.admin.user_update", service)

    response = admin_client.post(
        reverse("admin:security_user_change", args=[user.pk]),
        user_form(user, groups=[str(approvers.pk)]),
    )

    assert response.status_code == 302
    assert [list(d["groups"]) for d in given] == [[approvers]]
    assert not user.groups.exists()


def test_a_user_save_the_service_refuses_shows_on_the_form_and_saves_nothing(
    admin_client, monkeypatch
):
    user = UserFactory(name="Person")
    approvers = Group.objects.get(name=roles.APPROVERS)

    def refuse(**kwargs):
        from security import services

        services.user_update(**kwargs)  # writes, then the refusal must undo it
        raise ApplicationError("Keep one active administrator.", fields=["is_active"])

    monkeypatch.setattr("security.admin.user_update", refuse)

    response = admin_client.post(
        reverse("admin:security_user_change", args=[user.pk]),
        user_form(user, name="Renamed", groups=[str(approvers.pk)]),
    )

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert errors["is_active"] == ["Keep one active administrator."]
    assert User.objects.get(pk=user.pk).name == "Person"
    assert not user.groups.exists()
    assert not changed_events(user).exists()


def test_an_admin_set_password_is_audited_without_the_password_or_its_hash(
    admin_client, actor, client
):
    user = UserFactory()

    response = admin_client.post(
        reverse("admin:auth_user_password_change", args=[user.pk]),
        {"usable_password": "true", "password1": "Fresh-horse-43!", "password2": "Fresh-horse-43!"},
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("admin:security_user_change", args=[user.pk])
    stored = User.objects.get(pk=user.pk)
    assert client.login(username=user.email, password="Fresh-horse-43!")
    event = AuditEvent.objects.get(action="user.password_set_by_admin")
    assert (event.actor, event.target_id, event.data) == (actor, str(user.pk), {"usable": True})
    assert stored.password not in str(event.data)
    assert "Fresh-horse-43!" not in str(event.data)


def test_the_admin_password_page_still_refuses_a_weak_password_on_its_form(admin_client):
    user = UserFactory()
    url = reverse("admin:auth_user_password_change", args=[user.pk])

    page = admin_client.get(url)
    refused = admin_client.post(
        url, {"usable_password": "true", "password1": "12345", "password2": "12345"}
    )

    assert page.status_code == 200
    assert refused.status_code == 200
    assert refused.context["form"].errors
    assert User.objects.get(pk=user.pk).check_password(UserFactory.PASSWORD)
    assert not AuditEvent.objects.filter(action="user.password_set_by_admin").exists()


def test_an_account_without_a_password_gets_one_in_admin(admin_client, client):
    user = UserFactory(password=None)

    response = admin_client.post(
        reverse("admin:auth_user_password_change", args=[user.pk]),
        {"password1": "Fresh-horse-43!", "password2": "Fresh-horse-43!"},
    )

    assert response.status_code == 302
    assert client.login(username=user.email, password="Fresh-horse-43!")
    assert AuditEvent.objects.get(action="user.password_set_by_admin").data == {"usable": True}


def test_an_admin_can_change_their_own_password_and_stay_signed_in(admin_client, actor):
    response = admin_client.post(
        reverse("admin:auth_user_password_change", args=[actor.pk]),
        {"usable_password": "true", "password1": "Fresh-horse-43!", "password2": "Fresh-horse-43!"},
    )

    assert response.status_code == 302
    assert admin_client.get(reverse("admin:index")).status_code == 200


def test_disabling_a_password_in_admin_is_audited_as_unusable(admin_client):
    user = UserFactory()

    response = admin_client.post(
        reverse("admin:auth_user_password_change", args=[user.pk]),
        {"usable_password": "false", "unset-password": "1"},
    )

    assert response.status_code == 302
    assert not User.objects.get(pk=user.pk).has_usable_password()
    assert AuditEvent.objects.get(action="user.password_set_by_admin").data == {"usable": False}


def test_a_department_added_in_admin_is_audited_once_by_the_service(admin_client, actor):
    response = admin_client.post(
        reverse("admin:security_department_add"),
        {"name": "Legal", "code": "legal", "parent": "", "is_active": "on"},
    )

    assert response.status_code == 302
    department = Department.objects.get(code="legal")
    event = AuditEvent.objects.get(action="department.created")
    assert (event.actor, event.target_id) == (actor, str(department.pk))
    assert event.data["values"]["name"] == "Legal"


def test_a_department_moved_below_its_own_child_is_refused_on_the_form(admin_client):
    top = DepartmentFactory(name="HQ", code="hq")
    child = DepartmentFactory(name="Sales", code="sales", parent=top)

    response = admin_client.post(
        reverse("admin:security_department_change", args=[top.pk]),
        {"name": "HQ", "code": "hq", "parent": child.pk, "is_active": "on"},
    )

    assert response.status_code == 200
    assert "cannot sit below itself" in str(response.context["adminform"].form.errors["parent"])
    assert Department.objects.get(pk=top.pk).parent is None
    assert not AuditEvent.objects.filter(action="department.changed").exists()
