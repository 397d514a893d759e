"""`Authorization: Bearer <secret>` with a personal API token (X-1)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.plumbing import build_bearer_security_scheme_object
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header

from security import tokens

# the middleware runs before DRF knows who a token belongs to; the zone is set here.
from security.middleware import activate_user_time_zone

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
        return token.user, token

    def authenticate_header(self, request) -> str:
        # A 401 (not a 403) for a request without credentials, naming the scheme.
        return 'Bearer realm="api"'


class ApiTokenScheme(OpenApiAuthenticationExtension):
    target_class = "security.api.authentication.ApiTokenAuthentication"
    name = "apiToken"

    def get_security_definition(self, auto_schema):
        return build_bearer_security_scheme_object(header_name="Authorization", token_prefix=SCHEME)
