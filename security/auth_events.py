"""OV-1: sign-ins, failed sign-ins and sign-outs go to the audit log.

These are the one place signals are used for a business effect: Django's auth
signals are the only hook that sees every sign-in path (allauth pages, the admin,
the API's session login) without repeating the record in each."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed

from oversight import audit


def request_facts(request) -> dict[str, str]:
    if request is None:
        return {}
    return {
        "ip": request.META.get("REMOTE_ADDR", ""),
        "user_agent": request.META.get("HTTP_USER_AGENT", "")[:200],
    }


def _signed_in(sender, request, user, **kwargs) -> None:
    audit.record(actor=user, action="user.signed_in", target=user, data=request_facts(request))


def _signed_out(sender, request, user, **kwargs) -> None:
    if user is None:  # the session had already expired
        return
    audit.record(actor=user, action="user.signed_out", target=user, data=request_facts(request))


def _sign_in_failed(sender, credentials, request=None, **kwargs) -> None:
    user_model = get_user_model()
    attempted = str(credentials.get("email") or credentials.get(user_model.USERNAME_FIELD) or "")
    attempted = attempted.strip().lower()[:254]
    known = user_model.objects.filter(email__iexact=attempted).first() if attempted else None
    audit.record(
        actor=None,
        action="user.sign_in_failed",
        target=known,
        data={"email": attempted, **request_facts(request)},
    )


def connect() -> None:
    user_logged_in.connect(_signed_in, dispatch_uid="security.audit.signed_in")
    user_logged_out.connect(_signed_out, dispatch_uid="security.audit.signed_out")
    user_login_failed.connect(_sign_in_failed, dispatch_uid="security.audit.sign_in_failed")
