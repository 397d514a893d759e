"""X-3: sign-up and password emails are sent by the worker, never inside the web
request. The request renders the message and queues its parts once its writes commit;
the task sends the same email allauth used to send from the request."""

from __future__ import annotations

import json

import pytest
import time_machine
from django.core import mail
from django.core.mail.backends import locmem
from django.urls import reverse

from security.tasks import account_email_send_task
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "Brand-new-pass-77!"


@pytest.fixture
def queued(monkeypatch):
    """The kwargs of every account email handed to the broker, in order."""
    calls: list[dict] = []

    def apply_async(*, kwargs, kwargsrepr):
        calls.append({"kwargs": kwargs, "kwargsrepr": kwargsrepr})

    monkeypatch.setattr(account_email_send_task, "apply_async", apply_async)
    return calls


def _reset(client, email: str):
    return client.post(reverse("account_reset_password"), {"email": email})


def _sign_up(client, email: str):
    return client.post(
        reverse("account_signup"), {"email": email, "password1": PASSWORD, "password2": PASSWORD}
    )


@pytest.mark.parametrize("flow", ["sign_up", "password_reset"])
def test_the_request_queues_the_email_on_commit_and_sends_nothing(
    flow, client, settings, queued, django_capture_on_commit_callbacks
):
    settings.ALLOWED_SIGNUP_DOMAINS = ["example.com"]
    user = UserFactory(email="li.wei@example.com")

    with django_capture_on_commit_callbacks() as callbacks:
        if flow == "sign_up":
            _sign_up(client, "new.hire@example.com")
        else:
            _reset(client, user.email)

    assert queued == []  # not before the request's writes commit
    for callback in callbacks:
        callback()
    assert mail.outbox == []
    (call,) = queued
    recipient = "new.hire@example.com" if flow == "sign_up" else user.email
    assert call["kwargs"]["to"] == [recipient]
    json.dumps(call["kwargs"])  # the broker carries JSON
    assert "/accounts/" not in call["kwargsrepr"]  # the link stays out of the worker's log


def test_a_queued_email_reaches_the_broker_not_the_mailbox(
    client, user, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _reset(client, user.email)

    assert mail.outbox == []


def test_the_task_sends_the_email_allauth_sent_from_the_request(
    client, user, settings, queued, django_capture_on_commit_callbacks
):
    with time_machine.travel("2026-12-07 09:00:00+08:00", tick=False):
        settings.ACCOUNT_ADAPTER = "allauth.account.adapter.DefaultAccountAdapter"
        _reset(client, user.email)
        (before,) = mail.outbox
        mail.outbox.clear()
        settings.ACCOUNT_ADAPTER = "security.adapters.AccountAdapter"
        with django_capture_on_commit_callbacks(execute=True):
            _reset(client, user.email)

    assert mail.outbox == []
    (call,) = queued
    sent = account_email_send_task.apply(kwargs=call["kwargs"]).get()

    assert sent == 1
    (after,) = mail.outbox
    assert "/accounts/password/reset/key/" in after.body
    assert (after.subject, after.body, after.from_email, after.to, after.alternatives) == (
        before.subject,
        before.body,
        before.from_email,
        before.to,
        before.alternatives,
    )


def test_an_html_alternative_and_an_html_only_message_survive_the_trip():
    account_email_send_task.apply(
        kwargs={"subject": "S", "from_email": "f@example.com", "to": ["t@example.com"],
                "body": "text", "html": "<p>html</p>"}
    )  # fmt: skip
    account_email_send_task.apply(
        kwargs={"subject": "S", "from_email": "f@example.com", "to": ["t@example.com"],
                "html": "<p>only</p>"}
    )  # fmt: skip

    both, html_only = mail.outbox
    assert (both.body, both.alternatives[0][:]) == ("text", ("<p>html</p>", "text/html"))
    assert (html_only.body, html_only.content_subtype) == ("<p>only</p>", "html")


class RefusesConfirmations(locmem.EmailBackend):
    """A mail server that refuses the confirmation but takes IT's alert."""

    attempts = 0

    def send_messages(self, messages):
        if any(message.subject == "Confirm" for message in messages):
            RefusesConfirmations.attempts += 1
            raise ConnectionRefusedError("SMTP down")
        return super().send_messages(messages)


def test_a_mail_server_that_stays_down_is_retried_then_reported_to_it(settings, monkeypatch):
    settings.IT_ALERT_EMAILS = ["it-desk@example.com"]
    settings.EMAIL_BACKEND = f"{__name__}.RefusesConfirmations"
    RefusesConfirmations.attempts = 0
    monkeypatch.setattr(account_email_send_task, "max_retries", 2)
    monkeypatch.setattr(account_email_send_task, "retry_backoff", False)

    result = account_email_send_task.apply(
        kwargs={"subject": "Confirm", "from_email": "f@example.com", "to": ["t@example.com"],
                "body": "secret link"}
    )  # fmt: skip

    assert isinstance(result.result, ConnectionRefusedError)
    assert RefusesConfirmations.attempts == 3  # the first try and two retries
    (report,) = mail.outbox
    assert report.to == ["it-desk@example.com"]
    assert "security.tasks.account_email_send" in report.subject
    assert "secret link" not in report.body
