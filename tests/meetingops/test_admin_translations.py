"""X-2 in admin: what our admin shows of codes and names kept as data (roles, audit
actions, scheduled jobs) is a translated label; the inline headers are ours to
translate; dates follow the locale; the browser's language chooses and the switch
overrides and is remembered. English pages are asserted in English words; Chinese only
where it does not wait for the merge's catalogue (html lang, Django's date formats)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import translation
from django_celery_beat.models import PeriodicTask

from bookings.services import booking_change
from oversight.actions import ACTION_LABELS, action_label
from oversight.audit import record
from security import roles
from tests.conftest import signed_in
from tests.factories import BookingFactory, UserFactory

pytestmark = pytest.mark.django_db

BOOKINGS_DOMAIN_ACTIONS = [
    "booking.requested",
    "booking.approved",
    "booking.rejected",
    "booking.cancelled",
    "booking.change_requested",
    "booking.change_approved",
    "booking.change_rejected",
    "periodictask.enabled",
    "user.signed_in",
]


@pytest.fixture
def superuser(db):
    return UserFactory(is_staff=True, is_superuser=True, language="")


def test_each_role_is_listed_by_its_label(client, superuser):
    signed_in(client, superuser)

    content = client.get(reverse("admin:auth_group_changelist")).content.decode()

    assert "IT department" in content
    assert "Supervision team" in content


def test_the_users_role_filter_and_choices_name_the_roles_by_their_labels(client, superuser):
    signed_in(client, superuser)
    it = Group.objects.get(name=roles.IT)

    listed = client.get(reverse("admin:security_user_changelist")).content.decode()
    page = client.get(reverse("admin:security_user_change", args=[superuser.pk])).content.decode()

    assert f'?groups__id__exact={it.pk}"' in listed.replace("&amp;", "&")
    assert "IT department" in listed
    assert f'<option value="{it.pk}">IT department</option>' in page


@pytest.mark.parametrize("code", BOOKINGS_DOMAIN_ACTIONS)
def test_every_action_the_services_write_has_a_label(code):
    assert code in ACTION_LABELS
    with translation.override("en"):
        assert action_label(code) != code


def test_an_action_without_a_label_is_shown_as_its_code():
    assert action_label("training.enrolled") == "training.enrolled"


def test_the_audit_list_shows_the_actions_label_and_its_code(client, superuser):
    record(actor=superuser, action="user.signed_in", target=superuser, data={})
    signed_in(client, superuser)

    content = client.get(reverse("admin:oversight_auditevent_changelist")).content.decode()

    assert "Signed in (user.signed_in)" in content


def test_the_audit_filter_offers_the_actions_by_their_labels(client, superuser):
    signed_in(client, superuser)

    content = client.get(reverse("admin:oversight_auditevent_changelist")).content.decode()

    assert "?action=booking.rejected" in content
    assert "Booking rejected" in content


def test_the_scheduled_jobs_are_listed_by_their_labels(client, superuser):
    assert PeriodicTask.objects.filter(name__startswith="oversight: verify").exists()
    signed_in(client, superuser)

    content = client.get(reverse("admin:django_celery_beat_periodictask_changelist")).content
    content = content.decode()

    assert "Nightly check of the audit chain" in content
    assert "Nightly check that no room is double-booked" in content
    assert ">oversight: verify the audit chain nightly</a>" not in content


def test_the_changes_inline_has_its_own_headers(client):
    booking = BookingFactory(approved=True)
    booking_change(
        booking=booking,
        actor=booking.organizer,
        start=booking.first_start + dt.timedelta(hours=2),
        end=booking.first_start + dt.timedelta(hours=3),
    )
    signed_in(client, UserFactory(is_staff=True, groups=[roles.APPROVERS]))

    content = client.get(reverse("admin:bookings_booking_change", args=[booking.pk])).content
    content = content.decode()

    for header in ("Requested by", "Decided by", "Decided at", "Reason"):
        assert f">{header}</th>" in content


def test_the_changes_inline_headers_are_translated_strings():
    from bookings.admin.inlines import BookingChangeInline

    with translation.override("en"):
        headers = {
            name: str(getattr(BookingChangeInline, name).short_description)
            for name in ("requester", "decider", "decided_when", "decision_reason")
        }
    assert headers == {
        "requester": "requested by",
        "decider": "decided by",
        "decided_when": "decided at",
        "decision_reason": "reason",
    }


# -- which language -------------------------------------------------------------------------


@pytest.mark.parametrize(("accept", "lang"), [("en-US,en;q=0.9", "en"), ("zh-CN", "zh-hans")])
def test_the_browsers_language_chooses_the_admins(client, superuser, accept, lang):
    signed_in(client, superuser, language=None)

    response = client.get(reverse("admin:index"), HTTP_ACCEPT_LANGUAGE=accept)

    assert f'<html lang="{lang}"' in response.content.decode()


def test_the_switch_overrides_the_browser_and_is_remembered_in_admin(client, superuser):
    signed_in(client, superuser, language=None)

    client.post(reverse("language_set"), {"language": "zh-hans", "next": "/admin/"})
    first = client.get(reverse("admin:index"), HTTP_ACCEPT_LANGUAGE="en")
    later = client.get(reverse("admin:bookings_booking_changelist"), HTTP_ACCEPT_LANGUAGE="en")

    assert '<html lang="zh-hans"' in first.content.decode()
    assert '<html lang="zh-hans"' in later.content.decode()
    superuser.refresh_from_db()
    assert superuser.language == "zh-hans"
