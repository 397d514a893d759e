"""Personal API tokens (X-1): list mine, make one, revoke one. Making and revoking take
a signed-in session: a token cannot mint more tokens, and no endpoint trades a password
for a token (DESIGN "The REST layer")."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.authentication import SessionAuthentication
from rest_framework.permissions import SAFE_METHODS, BasePermission, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from meetingops.api import error_responses
from meetingops.errors import NotFoundError
from security import calendar_feeds, selectors, tokens
from security.api.serializers import (
    ApiTokenCreateInputSerializer,
    ApiTokenCreateOutputSerializer,
    ApiTokenOutputSerializer,
    CalendarFeedOutputSerializer,
)


class ChangesNeedSession(BasePermission):
    """Reading works with a token; making or revoking a token needs a session."""

    message = _("Make and revoke API tokens while signed in, not with a token.")
    code = "session_required"

    def has_permission(self, request, view) -> bool:
        return request.method in SAFE_METHODS or isinstance(
            request.successful_authenticator, SessionAuthentication
        )


class ApiTokenListApi(APIView):
    permission_classes = [IsAuthenticated, ChangesNeedSession]

    @extend_schema(
        operation_id="me_tokens_list",
        responses={200: ApiTokenOutputSerializer(many=True), **error_responses(401, 403)},
    )
    def get(self, request):
        mine = selectors.api_token_list_for_user(user=request.user)
        return Response(ApiTokenOutputSerializer(mine, many=True).data)


class ApiTokenCreateApi(APIView):
    permission_classes = [IsAuthenticated, ChangesNeedSession]

    @extend_schema(
        operation_id="me_tokens_create",
        request=ApiTokenCreateInputSerializer,
        responses={201: ApiTokenCreateOutputSerializer, **error_responses(400, 401, 403)},
    )
    def post(self, request):
        serializer = ApiTokenCreateInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        token, secret = tokens.api_token_create(
            user=request.user, name=serializer.validated_data["name"]
        )
        token.secret = secret
        return Response(ApiTokenCreateOutputSerializer(token).data, status=status.HTTP_201_CREATED)


class ApiTokenCollectionApi(ApiTokenListApi, ApiTokenCreateApi):
    """GET /me/tokens/ lists, POST makes one: two operations on one URL."""


class ApiTokenRevokeApi(APIView):
    permission_classes = [IsAuthenticated, ChangesNeedSession]

    @extend_schema(
        operation_id="me_tokens_revoke",
        request=None,
        responses={200: ApiTokenOutputSerializer, **error_responses(401, 403, 404)},
    )
    def post(self, request, token_id: int):
        token = selectors.api_token_get_for_user(user=request.user, token_id=token_id)
        if token is None:
            raise NotFoundError(_("You have no such API token."))
        token = tokens.api_token_revoke(token=token, actor=request.user)
        return Response(ApiTokenOutputSerializer(token).data)


def _feed_data(feed) -> dict:
    links = calendar_feeds.feed_links(feed)
    return {
        "active": links is not None,
        "https": links.https if links else "",
        "webcal": links.webcal if links else "",
    }


class CalendarFeedApi(APIView):
    """BK-10: GET my calendar feed's addresses; POST a new one (the old stops working);
    DELETE stops it. Changing it takes a session, as tokens do."""

    permission_classes = [IsAuthenticated, ChangesNeedSession]

    @extend_schema(
        operation_id="me_calendar_feed",
        responses={200: CalendarFeedOutputSerializer, **error_responses(401, 403)},
    )
    def get(self, request):
        feed = calendar_feeds.calendar_feed_get(user=request.user)
        return Response(CalendarFeedOutputSerializer(_feed_data(feed)).data)

    @extend_schema(
        operation_id="me_calendar_feed_renew",
        request=None,
        responses={201: CalendarFeedOutputSerializer, **error_responses(401, 403)},
    )
    def post(self, request):
        feed = calendar_feeds.calendar_feed_renew(user=request.user)
        return Response(
            CalendarFeedOutputSerializer(_feed_data(feed)).data, status=status.HTTP_201_CREATED
        )

    @extend_schema(
        operation_id="me_calendar_feed_stop",
        request=None,
        responses={200: CalendarFeedOutputSerializer, **error_responses(401, 403)},
    )
    def delete(self, request):
        calendar_feeds.calendar_feed_revoke(user=request.user)
        return Response(CalendarFeedOutputSerializer(_feed_data(None)).data)
