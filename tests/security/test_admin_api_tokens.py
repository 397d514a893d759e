"""X-1 in Django admin: IT lists, searches and revokes personal API tokens through the
service; nobody adds, edits or deletes one there, and the secret's hash is never shown."""

from __future__ import annotations

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.auth.models import Permission
from django.urls import reverse

from oversight.models import AuditEvent
from security import roles
from security.models import ApiToken
from security.tokens import api_token_create
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:security_apitoken_changelist")


@pytest.fixture
def it_user():
    return UserFactory(is_staff=True, groups=[roles.IT], language="en")


@pytest.fixture
def it_client(client, it_user):
    client.force_login(it_user)
    return client


def make_token(token_name: str, **user_fields) -> tuple[ApiToken, str]:
    return api_token_create(user=UserFactory(**user_fields), name=token_name)


def revoke_action(client, tokens: list[ApiToken]):
    return client.post(
        CHANGELIST,
        {"action": "revoke_selected", ACTION_CHECKBOX_NAME: [t.pk for t in tokens]},
        follow=True,
        HTTP_ACCEPT_LANGUAGE="en",
    )


def test_it_lists_every_users_tokens_with_a_bounded_number_of_queries(
    it_client, django_assert_max_num_queries
):
    for n in range(10):
        make_token(f"script {n}")

    with django_assert_max_num_queries(8):
        response = it_client.get(CHANGELIST)

    assert response.status_code == 200
    assert response.context["cl"].result_count == 10


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("wang.fang@example.com", "calendar sync"),
        ("Wang Fang", "calendar sync"),
        ("nightly", "nightly report"),
    ],
)
def test_it_finds_a_token_by_its_owner_or_its_name(it_client, query, expected):
    make_token("calendar sync", email="wang.fang@example.com", name="Wang Fang")
    make_token("nightly report", email="li.lei@example.com", name="Li Lei")

    response = it_client.get(CHANGELIST, {"q": query})

    assert [t.name for t in response.context["cl"].result_list] == [expected]


def test_it_finds_a_token_by_its_prefix(it_client):
    wanted, _ = make_token("wanted")
    make_token("other")

    response = it_client.get(CHANGELIST, {"q": wanted.prefix})

    assert list(response.context["cl"].result_list) == [wanted]


@pytest.mark.parametrize(("status", "expected"), [("active", "kept"), ("revoked", "gone")])
def test_it_filters_active_and_revoked_tokens(it_client, it_user, status, expected):
    make_token("kept")
    gone, _ = make_token("gone")
    revoke_action(it_client, [gone])

    response = it_client.get(CHANGELIST, {"status": status})

    assert [t.name for t in response.context["cl"].result_list] == [expected]


def test_it_revokes_the_selected_tokens_through_the_service(it_client, it_user):
    first, _ = make_token("first")
    second, _ = make_token("second")
    untouched, _ = make_token("untouched")

    response = revoke_action(it_client, [first, second])

    assert "Revoked 2 API tokens." in response.content.decode()
    assert not ApiToken.objects.get(pk=first.pk).is_active
    assert not ApiToken.objects.get(pk=second.pk).is_active
    assert ApiToken.objects.get(pk=untouched.pk).is_active
    events = AuditEvent.objects.filter(action="apitoken.revoked")
    assert sorted(int(e.target_id) for e in events) == sorted([first.pk, second.pk])
    assert {e.actor_id for e in events} == {it_user.pk}


def test_revoking_a_revoked_token_again_counts_nothing(it_client):
    token, _ = make_token("once")
    revoke_action(it_client, [token])

    response = revoke_action(it_client, [token])

    assert "None of the selected tokens was active: nothing was revoked." in (
        response.content.decode()
    )
    assert AuditEvent.objects.filter(action="apitoken.revoked").count() == 1


def test_the_token_page_is_read_only_and_never_shows_the_hash(it_client):
    token, secret = make_token("ci")

    response = it_client.get(reverse("admin:security_apitoken_change", args=[token.pk]))

    content = response.content.decode()
    assert response.status_code == 200
    assert token.key_hash not in content
    assert secret not in content
    assert f"{token.prefix}…" in content
    assert 'name="_save"' not in content
    assert '<input type="text" name="name"' not in content


def test_posting_to_the_token_page_changes_nothing(it_client):
    token, _ = make_token("ci")

    response = it_client.post(
        reverse("admin:security_apitoken_change", args=[token.pk]), {"name": "renamed"}
    )

    assert response.status_code == 403
    token.refresh_from_db()
    assert token.name == "ci"


def test_admin_can_neither_add_nor_delete_a_token(it_client):
    token, _ = make_token("ci")
    superuser = UserFactory(is_staff=True, is_superuser=True)
    it_client.force_login(superuser)

    listing = it_client.get(CHANGELIST)

    assert it_client.get(reverse("admin:security_apitoken_add")).status_code == 403
    delete_url = reverse("admin:security_apitoken_delete", args=[token.pk])
    assert it_client.get(delete_url).status_code == 403
    assert "delete_selected" not in listing.content.decode()
    assert "revoke_selected" in listing.content.decode()
    assert ApiToken.objects.filter(pk=token.pk).exists()


def test_staff_without_the_token_permissions_do_not_see_tokens(client):
    client.force_login(UserFactory(is_staff=True, groups=[roles.APPROVERS]))

    assert client.get(CHANGELIST).status_code == 403


def test_staff_who_may_only_view_tokens_are_not_offered_the_revoke_action(client):
    viewer = UserFactory(is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_apitoken"))
    client.force_login(viewer)
    token, _ = make_token("ci")

    listing = client.get(CHANGELIST)
    response = revoke_action(client, [token])

    assert listing.status_code == 200
    assert "revoke_selected" not in listing.content.decode()
    assert response.status_code == 200
    assert ApiToken.objects.get(pk=token.pk).is_active
