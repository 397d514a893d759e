"""The employee's security page (X-1): their personal API tokens, made and revoked here,
and the way to their password change. Thin: the rules are in security/tokens.py.
The profile (X-2): name, department, time zone and language, saved by `user_update`."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from meetingops.errors import ApplicationError
from security import calendar_feeds, selectors, services, tokens
from security.forms import ApiTokenCreateForm, ProfileForm
from security.models import ApiToken

TOKENS_TEMPLATE = "security/tokens.html"


def _tokens_page(
    request: HttpRequest,
    form: ApiTokenCreateForm,
    *,
    created: ApiToken | None = None,
    secret: str = "",
) -> HttpResponse:
    context = {
        "form": form,
        "tokens": selectors.api_token_list_for_user(user=request.user),
        "max_active": tokens.MAX_ACTIVE_TOKENS,
        "created": created,
        "secret": secret,
    }
    return render(request, TOKENS_TEMPLATE, context)


# never_cache: the response to a successful POST carries the secret, which must not be
# kept by the browser's cache or a proxy (it is shown once, and stored nowhere).
@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def token_list(request: HttpRequest) -> HttpResponse:
    """GET: my tokens and the form to make one. POST: make one and show its secret in
    this response only (never in the session, never again)."""
    if request.method == "GET":
        return _tokens_page(request, ApiTokenCreateForm())
    form = ApiTokenCreateForm(request.POST)
    if not form.is_valid():
        return _tokens_page(request, form)
    try:
        token, secret = tokens.api_token_create(user=request.user, name=form.cleaned_data["name"])
    except ApplicationError as error:
        form.add_application_error(error)
        return _tokens_page(request, form)
    return _tokens_page(request, ApiTokenCreateForm(), created=token, secret=secret)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    """GET asks to confirm (no JavaScript needed); POST revokes. Another user's token is
    a 404, as an id that does not exist is."""
    token = selectors.api_token_get_for_user(user=request.user, token_id=token_id)
    if token is None:
        raise Http404(_("You have no such API token."))
    if request.method == "GET":
        return render(request, "security/token_revoke.html", {"token": token})
    try:
        tokens.api_token_revoke(token=token, actor=request.user)
    except ApplicationError as error:
        messages.error(request, error.detail)
    else:
        messages.success(request, _("The API token “%(name)s” is revoked.") % {"name": token.name})
    return redirect("security:tokens")


PROFILE_TEMPLATE = "security/profile.html"
PROFILE_FIELDS = ("name", "department", "time_zone", "language")


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def profile(request: HttpRequest) -> HttpResponse:
    """GET: my profile's form. POST: save it through `user_update` (audited); a chosen
    language applies at once (this response's cookie, as the header's switch does), and
    "as my browser asks" forgets the switch's choice. Bad input: the form again, with
    what was typed and each error under its field, and nothing saved."""
    if request.method == "GET":
        return render(
            request, PROFILE_TEMPLATE, _profile_context(request, ProfileForm(user=request.user))
        )
    form = ProfileForm(request.POST, user=request.user)
    if form.is_valid():
        data = {name: form.cleaned_data[name] for name in PROFILE_FIELDS}
        try:
            user = services.user_update(user=request.user, actor=request.user, data=data)
        except ApplicationError as error:
            form.add_application_error(error)
        else:
            return _profile_saved(request, language=user.language)
    return render(request, PROFILE_TEMPLATE, _profile_context(request, form), status=400)


def _profile_context(request: HttpRequest, form: ProfileForm) -> dict:
    feed = calendar_feeds.calendar_feed_get(user=request.user)
    return {"form": form, "calendar_feed": calendar_feeds.feed_links(feed)}


@never_cache
@login_required
@require_http_methods(["POST"])
def calendar_feed_renew(request: HttpRequest) -> HttpResponse:
    """BK-10: a new address for my calendar feed; the old one stops working. Back to
    the page the button was on (the profile, My meetings)."""
    calendar_feeds.calendar_feed_renew(user=request.user)
    messages.success(
        request,
        _("Your calendar has a new address. Subscribe to it again where you used the old one."),
    )
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect("security:profile")
    return redirect(target)


def _profile_saved(request: HttpRequest, *, language: str) -> HttpResponse:
    # The message is read on the next page, in the language chosen here.
    with translation.override(language or translation.get_language()):
        messages.success(request, _("Your profile is saved."))
    response = redirect("security:profile")
    if language:
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            language,
            max_age=settings.LANGUAGE_COOKIE_AGE,
            path=settings.LANGUAGE_COOKIE_PATH,
            domain=settings.LANGUAGE_COOKIE_DOMAIN,
            secure=settings.LANGUAGE_COOKIE_SECURE,
            httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
            samesite=settings.LANGUAGE_COOKIE_SAMESITE,
        )
    else:
        response.delete_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            path=settings.LANGUAGE_COOKIE_PATH,
            domain=settings.LANGUAGE_COOKIE_DOMAIN,
            samesite=settings.LANGUAGE_COOKIE_SAMESITE,
        )
    return response
