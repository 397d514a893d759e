"""`Authorization: Bearer <secret>` with a personal API token (X-1)."""

from __future__ import annotations

from django.utils import translation
from django.utils.translation import gettext_lazy as _
from drf_spectacular.authentication import SessionScheme
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.plumbing import build_bearer_security_scheme_object
from rest_framework import exceptions
from rest_framework.authentication import (
    BaseAuthentication,
    SessionAuthentication,
    get_authorization_header,
)

from security import tokens

# the middleware runs before DRF knows who a token belongs to; the zone is set here.
from security.middleware import activate_user_time_zone


def activate_user_language(user) -> None:
    """X-2: the language the user chose (the switch keeps it on their account) answers
    them, over what their client's Accept-Language asks; without a choice, the
    request's language (LocaleMiddleware's) stays."""
    language = getattr(user, "language", "")
    if language:
        translation.activate(language)


SCHEME = "Bearer"
KEYWORD = SCHEME.lower().encode()


class ApiTokenAuthentication(BaseAuthentication):
    """Reads `Authorization: Bearer <secret>`. No header, or another scheme: not this
    class's business (None). A header with an unknown or revoked token, or the token of
    an inactive user: refused (401), with one message for all three so a caller learns
    nothing about which."""

    def authenticate(self, request):
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() != KEYWORD:
            return None
        invalid = exceptions.AuthenticationFailed(
            _(
                "This API token is not valid: it may have been revoked. Create a new one on "
                "your Account security page."
            )
        )
        if len(parts) != 2:
            raise invalid
        try:
            secret = parts[1].decode("ascii")
        except UnicodeDecodeError:
            raise invalid from None
        token = tokens.api_token_for_secret(secret)
        if token is None or not token.user.is_active:
            raise invalid
        tokens.api_token_mark_used(token=token)
        activate_user_time_zone(token.user)
        activate_user_language(token.user)
        return token.user, token

    def authenticate_header(self, request) -> str:
        # A 401 (not a 403) for a request without credentials, naming the scheme.
        return 'Bearer realm="api"'


class UserLanguageSessionAuthentication(SessionAuthentication):
    """DRF's session authentication (with its CSRF check), answering in the signed-in
    user's chosen language (X-2)."""

    def authenticate(self, request):
        result = super().authenticate(request)
        if result is not None:
            activate_user_language(result[0])
        return result


class UserLanguageSessionScheme(SessionScheme):
    """The schema names it as DRF's session scheme (cookieAuth)."""

    target_class = "security.api.authentication.UserLanguageSessionAuthentication"


class ApiTokenScheme(OpenApiAuthenticationExtension):
    target_class = "security.api.authentication.ApiTokenAuthentication"
    name = "apiToken"

    def get_security_definition(self, auto_schema):
        return build_bearer_security_scheme_object(header_name="Authorization", token_prefix=SCHEME)
