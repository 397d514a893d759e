"""Domain errors. Each carries a stable `code` (for the API and for tests) and a
translated message; pages, the API and admin turn them into their own shape (STYLE)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any


class ApplicationError(Exception):
    """Base of every error a user can cause and read. Never a 500."""

    code = "invalid"
    status = 400

    def __init__(
        self,
        detail: str = "",
        *,
        code: str | None = None,
        fields: dict[str, list[str]] | Iterable[str] | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(detail)
        self.detail = str(detail)
        if code:
            self.code = code
        # Field -> messages, as DRF writes them. Naming the fields alone gives each the
        # error's own message: `fields=["end"]`.
        if isinstance(fields, str):
            raise TypeError("fields: a dict of messages or a list of field names, not a str")
        if fields is not None and not isinstance(fields, dict):
            fields = {name: [self.detail] for name in fields}
        self.fields = fields or {}
        self.extra = extra or {}

    def as_dict(self) -> dict[str, Any]:
        body: dict[str, Any] = {"code": self.code, "detail": self.detail}
        if self.fields:
            body["fields"] = self.fields
        body.update(self.extra)
        return body


class PermissionDeniedError(ApplicationError):
    code = "permission_denied"
    status = 403


class NotFoundError(ApplicationError):
    code = "not_found"
    status = 404


class InvalidTransition(ApplicationError):
    code = "invalid_transition"
    status = 409


class ConflictError(ApplicationError):
    code = "conflict"
    status = 409
