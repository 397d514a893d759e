"""Pieces every REST endpoint shares (X-1, DESIGN "The REST layer"): the one error shape
and the exception handler that produces it, the JSON parser with its size limit,
pagination, and input fields. REST_FRAMEWORK names classes of this module, which DRF
imports while defining APIView: so nothing here imports rest_framework.views at load.

Every error reads `{"code": ..., "detail": ..., "fields": {...}}` plus the `extra` of a
domain error (a usage rule's `value`, a conflict's `conflicts`). `code` is a stable
string a client may branch on; `detail` is translated; `fields` maps a field (dotted for
nested input: `recurrence.count`) to its messages."""

from __future__ import annotations

import datetime as dt
import json
import logging
from typing import Any

import orjson
from django.conf import settings
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig
from django.db import InterfaceError, OperationalError
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema_field
from rest_framework import exceptions, parsers, renderers, serializers, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.utils import encoders

from meetingops.errors import ApplicationError

logger = logging.getLogger(__name__)

# The database cannot be reached (refused, dropped, timed out): the answer is a 503 that
# says to come back, not a 500 (the traceback is still logged).
DATABASE_UNAVAILABLE = (OperationalError, InterfaceError)

# Field errors raised with one of these codes answer with that code instead of the
# generic `invalid`: they are the codes the services raise for the same mistakes, so a
# client sees `naive_datetime` whichever layer caught it.
CLIENT_CODES = frozenset({"naive_datetime"})

# One code per kind of DRF error; a DRF error raised with an explicit code of its own
# keeps it.
API_EXCEPTION_CODES: dict[type[exceptions.APIException], str] = {
    exceptions.NotAuthenticated: "not_authenticated",
    exceptions.AuthenticationFailed: "not_authenticated",
    exceptions.PermissionDenied: "permission_denied",
    exceptions.NotFound: "not_found",
    exceptions.ParseError: "malformed",
    exceptions.UnsupportedMediaType: "unsupported_media_type",
    exceptions.MethodNotAllowed: "method_not_allowed",
    exceptions.NotAcceptable: "not_acceptable",
    exceptions.Throttled: "throttled",
}


class PayloadTooLarge(exceptions.APIException):
    """413 `too_large`; the message names the limit (DATA_UPLOAD_MAX_MEMORY_SIZE)."""

    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "too_large"

    def __init__(self) -> None:
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        super().__init__(
            _("The request body is larger than %(size)s KB: send less at a time.")
            % {"size": limit // 1024}
        )


class ServiceUnavailable(exceptions.APIException):
    """503 `unavailable`: the database does not answer."""

    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_code = "unavailable"
    default_detail = gettext_lazy(
        "MeetingOps cannot reach its database just now: try again in a minute."
    )


# Seconds a client should wait before asking again after a 503.
RETRY_AFTER_SECONDS = 30


def error_body(code: str, detail: Any, fields: dict | None = None, **extra: Any) -> dict[str, Any]:
    return {"code": code, "detail": str(detail), "fields": fields or {}, **extra}


def _flatten(detail: Any, prefix: str = "") -> list[tuple[str, exceptions.ErrorDetail]]:
    """DRF's nested error structure as (dotted field, error) pairs, in order."""
    if isinstance(detail, dict):
        pairs = []
        for key, value in detail.items():
            pairs += _flatten(value, f"{prefix}.{key}" if prefix else str(key))
        return pairs
    if isinstance(detail, list):
        pairs = []
        for index, item in enumerate(detail):
            if isinstance(item, dict | list):  # a list of nested objects: number them
                pairs += _flatten(item, f"{prefix}.{index}" if prefix else str(index))
            else:
                pairs.append((prefix or api_settings.NON_FIELD_ERRORS_KEY, item))
        return pairs
    return [(prefix or api_settings.NON_FIELD_ERRORS_KEY, detail)]


def validation_error_body(error: exceptions.ValidationError) -> dict[str, Any]:
    pairs = _flatten(error.detail)
    fields: dict[str, list[str]] = {}
    whole = f".{api_settings.NON_FIELD_ERRORS_KEY}"
    for field, item in pairs:
        # A nested object refused as a whole ("expected a dictionary") is its field's error.
        key = field.removesuffix(whole)
        fields.setdefault(key, []).append(str(item))
    if not pairs:
        return error_body("invalid", _("The request is not valid."))
    first = pairs[0][1]
    code = getattr(first, "code", None)
    return error_body(code if code in CLIENT_CODES else "invalid", first, fields)


def api_exception_handler(exc: Exception, context: dict) -> Response | None:
    """REST_FRAMEWORK["EXCEPTION_HANDLER"]: every error in the one shape. Anything not
    listed here is a bug and stays a 500, which `meetingops.views.server_error` writes in
    the same shape; an unreachable database is a 503 `unavailable`."""
    from rest_framework.views import set_rollback

    if isinstance(exc, ApplicationError):
        set_rollback()
        body = exc.as_dict()
        body.setdefault("fields", {})
        return Response(body, status=exc.status)
    if isinstance(exc, RequestDataTooBig):
        # Django's own limit (DATA_UPLOAD_MAX_MEMORY_SIZE), met when a form body is read.
        exc = PayloadTooLarge()
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    elif isinstance(exc, DATABASE_UNAVAILABLE):
        logger.error("The database is unavailable", exc_info=exc)
        exc = ServiceUnavailable()
    if not isinstance(exc, exceptions.APIException):
        return None
    headers = {}
    if getattr(exc, "auth_header", None):
        headers["WWW-Authenticate"] = exc.auth_header
    if getattr(exc, "wait", None):
        headers["Retry-After"] = str(exc.wait)
    if isinstance(exc, ServiceUnavailable):
        headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    set_rollback()
    if isinstance(exc, exceptions.ValidationError):
        return Response(validation_error_body(exc), status=exc.status_code, headers=headers)
    code = next(
        (c for kind, c in API_EXCEPTION_CODES.items() if isinstance(exc, kind)),
        exc.default_code,
    )
    own_code = getattr(exc.detail, "code", None)
    if own_code and own_code != exc.default_code:
        code = own_code
    detail = exc.detail if not isinstance(exc.detail, list | dict) else exc.default_detail
    return Response(error_body(code, detail), status=exc.status_code, headers=headers)


# No body this API reads nests deeper than a few levels (a booking's recurrence.weekdays
# is three); a deeper one is refused before any code walks it.
MAX_JSON_DEPTH = 32


def _json_depth_exceeds(data: Any, limit: int) -> bool:
    """Whether `data` nests lists and objects more than `limit` deep, found without
    recursion (the point is not to overflow the stack)."""
    stack = [(data, 1)] if isinstance(data, dict | list) else []
    while stack:
        value, depth = stack.pop()
        if depth > limit:
            return True
        children = value.values() if isinstance(value, dict) else value
        stack.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
    return False


class LimitedJSONParser(parsers.JSONParser):
    """DRF reads a JSON body from the stream itself, past Django's
    DATA_UPLOAD_MAX_MEMORY_SIZE; this parser holds it to that limit (413 `too_large`),
    before reading when the length is declared and while reading when it is not.

    The body is decoded by orjson, which refuses what JSON does not allow (NaN, lone
    surrogates, invalid UTF-8) and stops at its own nesting limit instead of running out
    of stack as the standard library does about 1,000 levels down; anything deeper than
    MAX_JSON_DEPTH is refused too. Each is a 400 `malformed`."""

    def parse(self, stream, media_type=None, parser_context=None):
        parser_context = parser_context or {}
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        request = parser_context.get("request")
        if limit is not None and request is not None:
            try:
                declared = int(request.META.get("CONTENT_LENGTH") or 0)
            except ValueError:
                declared = 0
            if declared > limit:
                raise PayloadTooLarge()
        raw = stream.read() if limit is None else stream.read(limit + 1)
        if limit is not None and len(raw) > limit:
            raise PayloadTooLarge()
        encoding = parser_context.get("encoding", settings.DEFAULT_CHARSET)
        try:
            text = raw if encoding.lower().replace("-", "") == "utf8" else raw.decode(encoding)
            data = orjson.loads(text)
        except (orjson.JSONDecodeError, UnicodeDecodeError, LookupError) as error:
            raise exceptions.ParseError(
                _("The body is not valid JSON (%(error)s): send one JSON object.")
                % {"error": error}
            ) from None
        if _json_depth_exceeds(data, MAX_JSON_DEPTH):
            raise exceptions.ParseError(
                _(
                    "The body nests lists or objects more than %(depth)s levels deep: "
                    "send the fields this operation takes, as its schema shows."
                )
                % {"depth": MAX_JSON_DEPTH}
            )
        return data


class RawJSON:
    """JSON text already written (by the database, say), to be placed in an answer as
    it is: `Response({"rooms": RawJSON(text)})`."""

    __slots__ = ("text",)

    def __init__(self, text: bytes | str):
        self.text = text


class _Encoder(encoders.JSONEncoder):
    def default(self, obj):
        if isinstance(obj, RawJSON):
            return json.loads(obj.text)
        return super().default(obj)


class FastJSONRenderer(renderers.JSONRenderer):
    """DRF's JSON, written by orjson: several times faster on big answers (a week's
    occupancy is over a megabyte). What orjson does not know (lazy translations,
    decimals) goes through DRF's own encoder; an indented answer asked for by a client
    (`Accept: application/json; indent=2`) is left to DRF. RawJSON goes in verbatim."""

    encoder_class = _Encoder
    _fallback = _Encoder()

    def _default(self, obj):
        if isinstance(obj, RawJSON):
            return orjson.Fragment(obj.text)
        return self._fallback.default(obj)

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if data is None:
            return b""
        if self.get_indent(accepted_media_type or "", renderer_context or {}):
            return super().render(data, accepted_media_type, renderer_context)
        # Datetimes as DRF's encoder writes them: ISO 8601 with their offset, Z for UTC.
        return orjson.dumps(
            data,
            default=self._default,
            option=orjson.OPT_NON_STR_KEYS | orjson.OPT_UTC_Z,
        )


class ApiPagination(PageNumberPagination):
    """Pages of 50, `page_size` up to 200. A `page` or `page_size` that is not a whole
    number in range is refused (400 `invalid`, the parameter named in `fields`) rather
    than silently replaced; a page past the last is a 404 `not_found`. The schema states
    both limits."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
    last_page_strings = ()

    def _number(self, request, name: str, *, maximum: int | None = None) -> int | None:
        raw = request.query_params.get(name)
        if raw is None:
            return None
        try:
            value = int(raw)
        except ValueError:
            value = 0
        if value < 1 or (maximum is not None and value > maximum):
            if maximum is None:
                message = _("Give a whole number from 1.")
            else:
                message = _("Give a whole number from 1 to %(max)s.") % {"max": maximum}
            raise exceptions.ValidationError({name: [message]})
        return value

    def get_page_size(self, request) -> int:
        size = self._number(request, self.page_size_query_param, maximum=self.max_page_size)
        return size or self.page_size

    def get_page_number(self, request, paginator) -> int:
        return self._number(request, self.page_query_param) or 1

    def get_schema_operation_parameters(self, view) -> list[dict]:
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            parameter["schema"]["minimum"] = 1
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"]["maximum"] = self.max_page_size
        return parameters


def paginated_response(*, request, view, queryset, serializer_class, context=None) -> Response:
    """HackSoft's `get_paginated_response` for an APIView."""
    paginator = view.pagination_class()
    page = paginator.paginate_queryset(queryset, request, view=view)
    data = serializer_class(page, many=True, context=context or {}).data
    return paginator.get_paginated_response(data)


# -- fields and serializers shared by the apps' APIs ------------------------------------

# Instants outside these years are typing mistakes, and arithmetic on them (minus a
# room's preparation time) would overflow.
EARLIEST = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
LATEST = dt.datetime(2100, 1, 1, tzinfo=dt.UTC)


# The years EARLIEST..LATEST as patterns, so the schema states the range it refuses beyond.
DATE_PATTERN = r"^20[0-9]{2}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$"
DATETIME_PATTERN = (
    r"^20[0-9]{2}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])"
    r"T([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9](\.[0-9]{1,6})?)?"
    r"(Z|[+-]([01][0-9]|2[0-3]):[0-5][0-9])$"
)


@extend_schema_field({"type": "string", "format": "date-time", "pattern": DATETIME_PATTERN})
class AwareDateTimeField(serializers.DateTimeField):
    """An ISO 8601 instant WITH its offset. DRF would read a naive time in the server's
    zone; a time without a zone is ambiguous, so it is refused (`naive_datetime`)."""

    default_error_messages = {
        "naive_datetime": gettext_lazy(
            "Give the time with its time zone, e.g. 2026-12-01T09:00:00+08:00."
        ),
        "out_of_range": gettext_lazy("Give a time between the years 2000 and 2099."),
    }

    def enforce_timezone(self, value: dt.datetime) -> dt.datetime:
        if timezone.is_naive(value):
            self.fail("naive_datetime")
        if not EARLIEST <= value < LATEST:
            self.fail("out_of_range")
        return super().enforce_timezone(value)


@extend_schema_field({"type": "string", "format": "date", "pattern": DATE_PATTERN})
class CalendarDateField(serializers.DateField):
    """A day, YYYY-MM-DD, within the years EARLIEST..LATEST: a day outside them is a
    typing mistake, and the week or day built from it would overflow (`out_of_range`)."""

    default_error_messages = {
        "out_of_range": gettext_lazy("Give a date between the years 2000 and 2099."),
    }

    def to_internal_value(self, value) -> dt.date:
        day = super().to_internal_value(value)
        if not EARLIEST.date() <= day < LATEST.date():
            self.fail("out_of_range")
        return day


class QueryInputSerializer(serializers.Serializer):
    """Query parameters: one given empty (`?status=`) is refused like any other value
    its type does not allow, instead of being taken for one not given."""

    def to_internal_value(self, data):
        blank = {
            name: [_("Give a value, or leave the parameter out.")]
            for name in self.fields
            if hasattr(data, "get") and data.get(name) == ""
        }
        if blank:
            raise exceptions.ValidationError(blank)
        return super().to_internal_value(data)


class ErrorOutputSerializer(serializers.Serializer):
    """The one error shape, for the schema."""

    code = serializers.CharField(
        help_text=gettext_lazy(
            "Stable, for programs: `invalid` (see `fields`), `malformed`, `naive_datetime`, "
            "a usage rule's code (with `value` and `violations`), `conflict` (with "
            "`conflicts`), `invalid_transition`, `not_authenticated`, `permission_denied`, "
            "`session_required`, `not_found`, `method_not_allowed`, `not_acceptable`, "
            "`too_large`, `unsupported_media_type`, `unavailable`, `server_error`, or "
            "another code an operation's description names."
        )
    )
    detail = serializers.CharField(help_text=gettext_lazy("For people, translated."))
    fields = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text=gettext_lazy("Each refused field (dotted when nested) with its messages."),
    )


def error_responses(*statuses: int) -> dict[int, type[serializers.Serializer]]:
    """`extend_schema(responses={200: ..., **error_responses(400, 404)})`."""
    return dict.fromkeys(statuses, ErrorOutputSerializer)


# -- the schema: every refusal the server makes ------------------------------------------

ERROR_SCHEMA_REF = {"$ref": "#/components/schemas/ErrorOutput"}


def _refusal_descriptions() -> dict[str, str]:
    return {
        "400": _(
            "Refused input: `invalid` with `fields`, `malformed` (a body that is not JSON, "
            "or nested more than %(depth)s levels), `naive_datetime`, or a rule's own code. "
            "Times and dates lie in the years 2000 to 2099."
        )
        % {"depth": MAX_JSON_DEPTH},
        "401": _("`not_authenticated`: no credentials, or an API token that is not valid."),
        "403": _("`permission_denied` (or a more precise code): not yours to do."),
        "404": _("`not_found`: no such object, or not yours to see; or a page past the last."),
        "405": _("`method_not_allowed`: the address does not take this method."),
        "406": _("`not_acceptable`: the API answers JSON."),
        "409": _("`conflict` or `invalid_transition`: the state of things forbids it now."),
        "413": _("`too_large`: the body is larger than %(size)s KB.")
        % {"size": (settings.DATA_UPLOAD_MAX_MEMORY_SIZE or 0) // 1024},
        "415": _("`unsupported_media_type`: send the body as application/json."),
        "503": _("`unavailable`: the database does not answer; try again after Retry-After."),
    }


def schema_document_refusals(result, generator, request, public):
    """SPECTACULAR_SETTINGS POSTPROCESSING_HOOKS: every operation lists every refusal
    the server can make of it, in the one error shape, each with what it means."""
    descriptions = _refusal_descriptions()
    for path, operations in result.get("paths", {}).items():
        for operation in operations.values():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            statuses = {"401", "403", "405", "406", "503"}
            parameters = operation.get("parameters", [])
            if "{" in path or any(p.get("name") == "page" for p in parameters):
                statuses.add("404")
            if "requestBody" in operation or any(p.get("in") == "query" for p in parameters):
                statuses.add("400")
            if "requestBody" in operation:
                statuses |= {"413", "415"}
            responses = operation["responses"]
            for status_code in sorted(statuses | {s for s in responses if s in descriptions}):
                response = responses.setdefault(
                    status_code, {"content": {"application/json": {"schema": ERROR_SCHEMA_REF}}}
                )
                if not response.get("description"):
                    response["description"] = descriptions[status_code]
            if "503" in responses:
                responses["503"].setdefault(
                    "headers",
                    {"Retry-After": {"schema": {"type": "integer"}, "description": "Seconds."}},
                )
    return result
