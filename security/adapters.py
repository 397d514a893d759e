"""SE-1: sign-up is open only while the company names its email domains; allauth's
emails are sent by the worker (X-3)."""

from __future__ import annotations

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context as allauth_context
from django.conf import settings
from django.contrib.sites.shortcuts import get_current_site
from django.core.mail import EmailMessage
from django.db import transaction
from django.http import HttpRequest, HttpResponse

from security.services import signup_is_open
from security.tasks import account_email_send_task


def account_email_parts(message: EmailMessage) -> dict[str, Any]:
    """A rendered message as the task's JSON arguments."""
    html_only = message.content_subtype == "html"
    alternatives = getattr(message, "alternatives", [])
    html = next((content for content, mime in alternatives if mime == "text/html"), "")
    return {
        "subject": message.subject,
        "from_email": message.from_email,
        "to": list(message.to),
        "body": "" if html_only else message.body,
        "html": message.body if html_only else html,
        "headers": dict(message.extra_headers) or None,
    }


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return signup_is_open()

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        """X-3: every email goes through the worker. The message is rendered here, as
        allauth renders it (the request's language, site and links), and queued once the
        request's writes commit: a confirmation never names an account that was rolled
        back. The body (a reset link, a code) is kept out of the task's logged arguments."""
        request = allauth_context.request
        message = self.render_mail(
            template_prefix,
            email,
            {"request": request, "email": email, "current_site": get_current_site(request)}
            | context,
        )
        parts = account_email_parts(message)
        logged = repr({"to": parts["to"], "subject": parts["subject"]})
        transaction.on_commit(
            lambda: account_email_send_task.apply_async(kwargs=parts, kwargsrepr=logged)
        )

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
