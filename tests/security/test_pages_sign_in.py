"""SE-1 through the test client: email sign-in, sign-out, password reset, and sign-up
limited to the company's domains. Each sign-in event lands in the audit log (OV-1)."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.urls import reverse

from oversight.models import AuditEvent
from security.models import User
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Brand-new-pass-77!"


def sign_in(client, email: str, password: str):
    return client.post(reverse("account_login"), {"login": email, "password": password})


def test_sign_in_page_is_served(client):
    response = client.get(reverse("account_login"))

    assert response.status_code == 200
    assert b'name="login"' in response.content


def test_home_asks_a_visitor_to_sign_in(client):
    response = client.get(reverse("home"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_employee_signs_in_with_email_and_sees_their_name(client, user):
    response = sign_in(client, user.email.upper(), UserFactory.PASSWORD)

    assert response.status_code == 302
    home = client.get(reverse("home"))
    assert user.name in home.content.decode()


def test_sign_in_is_recorded_with_the_address_it_came_from(client, user):
    sign_in(client, user.email, UserFactory.PASSWORD)

    event = AuditEvent.objects.get(action="user.signed_in")
    assert event.actor == user
    assert event.data["ip"] == "127.0.0.1"


def test_failed_sign_in_is_refused_and_recorded(client, user):
    response = sign_in(client, user.email, "wrong-password")

    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    event = AuditEvent.objects.get(action="user.sign_in_failed")
    assert event.actor is None
    assert event.data["email"] == user.email
    assert event.target_id == str(user.pk)
    assert "wrong-password" not in str(event.data)


def test_failed_sign_in_for_an_unknown_address_is_recorded_too(client, db):
    sign_in(client, "nobody@example.com", "whatever-123")

    event = AuditEvent.objects.get(action="user.sign_in_failed")
    assert event.data["email"] == "nobody@example.com"
    assert event.target_id == ""


def test_sign_out_ends_the_session_and_is_recorded(client, user):
    sign_in(client, user.email, UserFactory.PASSWORD)

    response = client.post(reverse("account_logout"))

    assert response.status_code == 302
    assert "_auth_user_id" not in client.session
    assert AuditEvent.objects.filter(action="user.signed_out", actor=user).exists()


def test_inactive_user_cannot_sign_in(client):
    user = UserFactory(is_active=False)

    sign_in(client, user.email, UserFactory.PASSWORD)

    assert "_auth_user_id" not in client.session


def test_password_reset_mails_a_link_that_sets_a_new_password(
    client, user, eager_tasks, django_capture_on_commit_callbacks
):
    # The worker sends it: run the queued task here, once the request commits.
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("account_reset_password"), {"email": user.email})

    assert len(mail.outbox) == 1
    link = re.search(r"https?://[^\s]+/password/reset/key/[^\s]+", mail.outbox[0].body).group(0)
    path = link.split("://", 1)[1].split("/", 1)[1]
    form_page = client.get("/" + path, follow=True)
    client.post(
        form_page.redirect_chain[-1][0] if form_page.redirect_chain else "/" + path,
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )

    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)


@pytest.fixture
def company_domain(settings):
    settings.ALLOWED_SIGNUP_DOMAINS = ["example.com"]


def sign_up(client, email: str):
    return client.post(
        reverse("account_signup"),
        {"email": email, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )


def test_sign_up_with_a_company_address_sends_a_confirmation(
    client, company_domain, eager_tasks, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = sign_up(client, "new.hire@example.com")

    assert response.status_code == 302
    assert User.objects.filter(email="new.hire@example.com").exists()
    assert "new.hire@example.com" in mail.outbox[0].to


def test_sign_up_with_another_domain_is_refused_and_creates_nobody(client, company_domain):
    response = sign_up(client, "outsider@gmail.com")

    assert response.status_code == 200
    assert "@example.com" in response.content.decode()
    assert not User.objects.filter(email="outsider@gmail.com").exists()


def test_sign_up_is_closed_without_allowed_domains(client, settings):
    settings.ALLOWED_SIGNUP_DOMAINS = []

    response = sign_up(client, "new.hire@example.com")

    assert not User.objects.filter(email="new.hire@example.com").exists()
    assert response.status_code == 200
    assert "account/signup_closed.html" in [t.name for t in response.templates]


def test_a_users_chosen_language_is_applied_when_they_sign_in(client):
    user = UserFactory(language="en")

    sign_in(client, user.email, UserFactory.PASSWORD)

    assert client.cookies["django_language"].value == "en"
    assert '<html lang="en">' in client.get(reverse("home")).content.decode()


def test_without_a_chosen_language_the_browser_decides_after_sign_in(client, user):
    sign_in(client, user.email, UserFactory.PASSWORD)

    assert "django_language" not in client.cookies
    home = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="en")
    assert '<html lang="en">' in home.content.decode()


def test_the_sign_in_page_offers_sign_up_only_while_it_is_open(client, settings):
    settings.ALLOWED_SIGNUP_DOMAINS = []
    closed = client.get(reverse("account_login")).content.decode()
    settings.ALLOWED_SIGNUP_DOMAINS = ["example.com"]
    open_ = client.get(reverse("account_login")).content.decode()

    assert reverse("account_signup") not in closed
    assert reverse("account_signup") in open_
