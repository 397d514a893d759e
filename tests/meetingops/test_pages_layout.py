"""The site's layout (base.html): the header's places with the current one marked, the
user menu, the language switch without inline script, the skip link, the flash
messages' semantics, and the error pages in the site's look, in English and Chinese."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.contrib.messages import constants
from django.contrib.messages.storage.base import Message
from django.core.exceptions import PermissionDenied
from django.template.loader import render_to_string
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import translation

from meetingops import views
from meetingops.templatetags.layout import place_of
from tests.conftest import signed_in
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

STATIC = Path(settings.BASE_DIR) / "static"


def page(client, path: str = "/", user=None) -> str:
    response = signed_in(client, user or UserFactory()).get(path)
    assert response.status_code == 200, path
    return response.content.decode()


def current_links(html: str) -> list[str]:
    return re.findall(r'<a href="([^"]+)"[^>]*aria-current="page"', html)


# -- the header ------------------------------------------------------------------------------


def test_header_links_to_the_main_places(client):
    html = page(client)

    places = html[html.index('class="site-places"') : html.index("</nav>")]
    for name, text in [
        ("bookings:book", "Book"),
        ("bookings:calendar", "Calendar"),
        ("bookings:mine", "My meetings"),
    ]:
        assert f'<a href="{reverse(name)}">{text}</a>' in places or (
            f'<a href="{reverse(name)}" aria-current="page">{text}</a>' in places
        )


@pytest.mark.parametrize(
    ("path", "current"),
    [
        ("/book/", "/book/"),
        ("/calendar/", "/calendar/"),
        ("/meetings/", "/meetings/"),
        ("/account/profile/", "/account/profile/"),
    ],
)
def test_the_current_place_is_marked_for_assistive_technology(client, path, current):
    assert current_links(page(client, path)) == [current]


def test_the_home_page_marks_no_place(client):
    assert current_links(page(client)) == []


@pytest.mark.parametrize(
    ("view_name", "place"),
    [
        ("bookings:book_rooms", "book"),
        ("bookings:calendar_room", "calendar"),
        ("bookings:calendar_mine", "calendar"),
        ("bookings:meeting", "mine"),
        ("bookings:meeting_cancel", "mine"),
        ("security:tokens", "account"),
        ("home", ""),
        ("admin:index", ""),
    ],
)
def test_pages_of_a_place_belong_to_it(view_name, place):
    assert place_of(view_name) == place


def test_the_user_menu_holds_profile_security_and_a_sign_out_form(client):
    html = page(client, user=UserFactory(name="Li Wei"))

    menu = html[html.index('<details class="dropdown user-menu">') : html.index("</details>")]
    assert '<span class="user-name" data-testid="user-name">Li Wei</span>' in menu
    assert f'href="{reverse("security:profile")}"' in menu
    assert f'href="{reverse("security:tokens")}"' in menu
    assert re.search(
        rf'<form action="{reverse("account_logout")}" method="post"[^>]*>\s*'
        r'<input type="hidden" name="csrfmiddlewaretoken"',
        menu,
    )
    assert "Administration" not in menu


def test_staff_find_administration_in_the_user_menu(client):
    html = page(client, user=UserFactory(is_staff=True))

    menu = html[html.index('<details class="dropdown user-menu">') : html.index("</details>")]
    assert f'href="{reverse("admin:index")}">Administration</a>' in menu


def test_someone_signed_out_sees_sign_in_and_no_places(client):
    html = Client(HTTP_ACCEPT_LANGUAGE="en").get(reverse("account_login")).content.decode()

    assert f'href="{reverse("account_login")}">Sign in</a>' in html
    assert 'class="site-places"' not in html
    assert "user-menu" not in html


def test_the_language_switch_posts_without_inline_script(client):
    html = page(client, "/meetings/")

    form = html[html.index('<form class="language-switch"') :]
    form = form[: form.index("</form>")]
    assert f'action="{reverse("language_set")}" method="post"' in form
    assert '<input name="next" type="hidden" value="/meetings/">' in form
    assert "<noscript><button" in form
    assert "onchange" not in html
    assert "onclick" not in html
    assert "data-submit-on-change" in form
    assert "select[data-submit-on-change]" in (STATIC / "js" / "site.js").read_text()


def test_a_skip_link_leads_to_the_main_content(client):
    html = page(client)

    assert html.index('class="skip-link" href="#main"') < html.index('class="site-header"')
    assert '<main id="main"' in html


def test_pico_is_loaded_before_the_sites_own_sheet_and_the_script_after_the_page(client):
    html = page(client)

    pico = html.index("vendor/pico-2.1.1/pico.min.css")
    own = html.index("css/meetingops.css")
    assert pico < own < html.index("</head>")
    assert html.index("js/site.js") > html.index("</main>")
    assert (STATIC / "vendor" / "pico-2.1.1" / "pico.min.css").exists()


# -- flash messages ------------------------------------------------------------------------------


def render_with_messages(*levels: int) -> str:
    request = RequestFactory().get("/")
    request.user = AnonymousUser()
    messages = [Message(level, f"message {n}") for n, level in enumerate(levels)]
    with translation.override("en"):
        return render_to_string("base.html", {"messages": messages}, request=request)


def test_errors_are_an_alert_and_the_other_messages_a_status_around_plain_lists():
    html = render_with_messages(constants.SUCCESS, constants.ERROR, constants.INFO)

    alert = re.search(r'<div class="messages" role="alert">\s*<ul>(.*?)</ul>', html, re.S)
    status = re.search(r'<div class="messages" role="status">\s*<ul>(.*?)</ul>', html, re.S)
    assert re.findall(r"message \d", alert.group(1)) == ["message 1"]
    assert re.findall(r"message \d", status.group(1)) == ["message 0", "message 2"]
    assert not re.search(r"<ul[^>]*role=", html)


def test_no_message_no_live_region():
    html = render_with_messages()

    assert 'class="messages"' not in html


# -- status badges -------------------------------------------------------------------------------


def test_every_status_a_page_can_show_has_its_badge_style():
    from bookings.models import Booking, BookingChange, Occurrence, Room

    css = (STATIC / "css" / "meetingops.css").read_text()
    values = {
        *Booking.Status.values,
        *Occurrence.Status.values,
        *BookingChange.Status.values,
        *Room.Status.values,
    }
    missing = sorted(v for v in values if f".status-{v} " not in css and f".status-{v}," not in css)
    assert missing == []


# -- error pages ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "heading"), [("en", "There is no such page"), ("zh-hans", "没有这个页面")]
)
def test_the_404_page_is_in_the_sites_look_and_the_readers_language(language, heading):
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(UserFactory())

    response = client.get("/no-such-page/")

    assert response.status_code == 404
    html = response.content.decode()
    assert f'<html lang="{language}"' in html
    assert 'class="site-header"' in html
    assert 'class="site-places"' in html
    assert f"<h1>{heading}</h1>" in html
    assert '<main id="main"' in html


@pytest.mark.parametrize(
    ("language", "heading"), [("en", "You may not open this page"), ("zh-hans", "您无权打开此页面")]
)
def test_the_403_page_is_translated(language, heading):
    request = RequestFactory(HTTP_ACCEPT_LANGUAGE=language).get("/somewhere/")
    request.user = UserFactory()

    with translation.override(language):
        response = views.permission_denied(request, PermissionDenied())

    html = response.content.decode()
    assert response.status_code == 403
    assert f'<html lang="{language}"' in html
    assert f"<h1>{heading}</h1>" in html


@pytest.mark.parametrize(
    ("language", "heading"),
    [("en", "Something went wrong on our side"), ("zh-hans", "服务器出错了")],
)
def test_the_500_page_is_translated_and_needs_no_user(monkeypatch, language, heading):
    def broken(*args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(views, "render", broken)
    client = Client(HTTP_ACCEPT_LANGUAGE=language, raise_request_exception=False)
    client.force_login(UserFactory(name="Nina Nowhere"))

    response = client.get("/")

    html = response.content.decode()
    assert response.status_code == 500
    assert f'<html lang="{language}"' in html
    assert f"<h1>{heading}</h1>" in html
    assert "Nina Nowhere" not in html  # no context processor read the user
    assert 'href="/static/css/meetingops.css"' in html
