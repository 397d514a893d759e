"""IT's alerts (the audit chain, failed jobs, double bookings) reach each recipient in
their language: an IT member's own, the company's for the other addresses."""

from __future__ import annotations

import pytest
from django.core import mail
from django.utils.translation import gettext_lazy

from oversight.services import it_alert_send
from security import roles
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

SUBJECT = gettext_lazy("[MeetingOps] The audit log has been tampered with")


def test_each_recipient_reads_the_alert_in_their_language(settings):
    settings.LANGUAGE_CODE = "zh-hans"
    settings.IT_ALERT_EMAILS = ["it-desk@example.com", "chose.english@example.com"]
    UserFactory(email="chose.english@example.com", language="en")  # listed, and an account
    UserFactory(email="english.member@example.com", language="en", groups=[roles.IT])
    UserFactory(email="no.choice@example.com", language="", groups=[roles.IT])

    sent = it_alert_send(SUBJECT, gettext_lazy("%(where)s"), where="#3")

    assert sent == 2
    subjects = {tuple(sorted(message.to)): message.subject for message in mail.outbox}
    assert subjects == {
        ("it-desk@example.com", "no.choice@example.com"): "[MeetingOps] 审计日志已被篡改",
        ("chose.english@example.com", "english.member@example.com"): (
            "[MeetingOps] The audit log has been tampered with"
        ),
    }
    assert {message.body for message in mail.outbox} == {"#3"}


def test_without_recipients_nothing_is_sent(settings):
    settings.IT_ALERT_EMAILS = []

    assert it_alert_send(SUBJECT, SUBJECT) == 0
    assert mail.outbox == []
