"""SE-1: sign-up is open only while the company names its email domains."""

from __future__ import annotations

from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from django.http import HttpRequest, HttpResponse

from security.services import signup_is_open


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return signup_is_open()

    def post_login(self, request: HttpRequest, user, **kwargs) -> HttpResponse:
        """X-2: a language the user chose once follows them to every browser."""
        response = super().post_login(request, user, **kwargs)
        if getattr(user, "language", ""):
            response.set_cookie(
                settings.LANGUAGE_COOKIE_NAME,
                user.language,
                max_age=settings.LANGUAGE_COOKIE_AGE,
                samesite=settings.LANGUAGE_COOKIE_SAMESITE,
                secure=settings.SESSION_COOKIE_SECURE,
            )
        return response
