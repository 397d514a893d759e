"""X-2: the profile page: name, department, time zone and language, saved through
`user_update` (audited); a chosen language applies at once; bad input keeps what was
typed, says what to do under the field, and saves nothing."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.urls import reverse

from oversight.models import AuditEvent
from tests.conftest import signed_in
from tests.factories import DepartmentFactory, UserFactory

pytestmark = pytest.mark.django_db

PROFILE = "/account/profile/"


@pytest.fixture
def newcomer():
    return UserFactory(email="zhao.lei@example.com", name="", department=None, language="")


@pytest.fixture
def sales():
    return DepartmentFactory(name="Sales", code="sales")


def form_data(**changes) -> dict:
    return {"name": "Zhao Lei", "time_zone": "Asia/Shanghai", "language": "", **changes}


def test_profile_route_is_the_contracted_address():
    assert reverse("security:profile") == PROFILE


def test_profile_asks_to_sign_in_first(client):
    response = client.get(PROFILE)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_profile_form_offers_active_departments_common_zones_and_languages(client, newcomer, sales):
    DepartmentFactory(name="Closed unit", code="closed", is_active=False)

    html = signed_in(client, newcomer).get(PROFILE).content.decode()

    assert '<label for="id_name">' in html
    assert "Sales" in html
    assert "Closed unit" not in html
    assert '<option value="Asia/Shanghai" selected>' in html
    assert '<option value="Europe/London">' in html
    assert '<option value="en">English</option>' in html
    assert 'aria-describedby="id_time_zone-help"' in html


def test_saving_the_profile_writes_it_and_audits_it(client, newcomer, sales):
    response = signed_in(client, newcomer).post(
        PROFILE, form_data(department=sales.pk, time_zone="Europe/London")
    )

    assert response.status_code == 302
    assert response["Location"] == PROFILE
    newcomer.refresh_from_db()
    assert (newcomer.name, newcomer.department, newcomer.time_zone) == (
        "Zhao Lei",
        sales,
        "Europe/London",
    )
    event = AuditEvent.objects.get(action="user.changed", target_id=str(newcomer.pk))
    assert event.actor_id == newcomer.pk
    assert set(event.data["changes"]) == {"name", "department", "time_zone"}


def test_after_saving_the_home_page_greets_by_name_without_the_prompt(client, newcomer, sales):
    client = signed_in(client, newcomer)
    client.post(PROFILE, form_data(department=sales.pk))

    html = client.get("/").content.decode()

    assert "Welcome, Zhao Lei" in html
    assert 'data-testid="profile-prompt"' not in html


def test_saved_message_is_shown_as_a_status(client, newcomer, sales):
    response = signed_in(client, newcomer).post(
        PROFILE, form_data(department=sales.pk), follow=True
    )

    html = response.content.decode()
    assert '<div class="messages" role="status">' in html
    assert "Your profile is saved." in html


def test_choosing_a_language_switches_the_pages_at_once(client, newcomer, sales):
    client = signed_in(client, newcomer)

    response = client.post(PROFILE, form_data(department=sales.pk, language="zh-hans"))

    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "zh-hans"
    newcomer.refresh_from_db()
    assert newcomer.language == "zh-hans"
    # The browser asks for English; the choice overrides it.
    page = client.get(PROFILE).content.decode()
    assert '<html lang="zh-hans"' in page


def test_as_my_browser_asks_forgets_the_switchs_choice(client, sales):
    user = UserFactory(language="zh-hans", department=sales)
    client = signed_in(client, user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"

    response = client.post(PROFILE, form_data(department=sales.pk, language=""))

    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == ""  # deleted
    user.refresh_from_db()
    assert user.language == ""
    assert '<html lang="en"' in client.get(PROFILE).content.decode()


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"name": "  "}, "name", "Enter your name."),
        ({"department": ""}, "department", "Choose your department."),
        ({"time_zone": "Mars/Olympus"}, "time_zone", "Mars/Olympus is not one of the time zones"),
        ({"language": "fr"}, "language", "Choose one of the languages offered."),
    ],
)
def test_bad_input_is_refused_under_its_field_and_nothing_is_saved(
    client, newcomer, sales, changes, field, message
):
    data = form_data(**{"department": sales.pk, **changes})

    response = signed_in(client, newcomer).post(PROFILE, data)

    assert response.status_code == 400
    html = response.content.decode()
    assert f'data-testid="error-{field}">' in html
    assert message in html
    assert f'aria-describedby="id_{field}-error' in html
    assert 'aria-invalid="true"' in html
    newcomer.refresh_from_db()
    assert (newcomer.name, newcomer.department_id) == ("", None)
    assert not AuditEvent.objects.filter(action="user.changed").exists()


def test_a_refused_form_keeps_what_was_typed(client, newcomer, sales):
    response = signed_in(client, newcomer).post(
        PROFILE, form_data(name="Zhao Lei", department=sales.pk, time_zone="Nowhere/Else")
    )

    html = response.content.decode()
    assert 'value="Zhao Lei"' in html
    assert f'<option value="{sales.pk}" selected>' in html


def test_a_closed_department_cannot_be_chosen(client, newcomer):
    closed = DepartmentFactory(name="Closed unit", code="closed", is_active=False)

    response = signed_in(client, newcomer).post(PROFILE, form_data(department=closed.pk))

    assert response.status_code == 400
    assert "That department is not open any more" in response.content.decode()


def test_errors_are_translated(client, newcomer, sales):
    client = signed_in(client, newcomer, language="zh-hans")

    response = client.post(PROFILE, form_data(department=sales.pk, name=""))

    html = response.content.decode()
    assert '<html lang="zh-hans"' in html
    assert 'data-testid="error-name"' in html


@pytest.mark.parametrize("departments", [1, 30])
def test_profile_asks_a_bounded_number_of_queries(
    client, newcomer, django_assert_max_num_queries, departments
):
    for n in range(departments):
        DepartmentFactory(name=f"Unit {n}", code=f"unit-{n}")
    client = signed_in(client, newcomer)

    with django_assert_max_num_queries(4):
        assert client.get(PROFILE).status_code == 200


def test_a_refusal_of_the_service_is_shown_under_its_field(client, newcomer, sales, monkeypatch):
    from meetingops.updates import ModelInvalid
    from security import services

    def refuse(**kwargs):
        raise ModelInvalid("Use a shorter name.", fields={"name": ["Use a shorter name."]})

    monkeypatch.setattr(services, "user_update", refuse)

    response = signed_in(client, newcomer).post(PROFILE, form_data(department=sales.pk))

    assert response.status_code == 400
    html = response.content.decode()
    assert '<small id="id_name-error" class="field-error" data-testid="error-name">' in html
    assert "Use a shorter name." in html
    assert 'value="Zhao Lei"' in html
