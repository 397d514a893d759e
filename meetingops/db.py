"""Database expressions and errors the apps share, written for both backends the
product runs on (PostgreSQL, and SQLite as the embedded default)."""

from __future__ import annotations

import sqlite3

from django.apps import apps
from django.db import IntegrityError, NotSupportedError
from django.db.models import FloatField, Func, UniqueConstraint

# SQLite says which CHECK constraint failed by its name, and which UNIQUE one by its
# columns ("UNIQUE constraint failed: bookings_attendee.booking_id, ...user_id").
_SQLITE_CHECK = "CHECK constraint failed: "
_SQLITE_UNIQUE = "UNIQUE constraint failed: "


def violated_constraint(error: IntegrityError) -> str | None:
    """The name of the constraint a database refused a write for, or None when the
    database does not say (a NOT NULL or a foreign key, say). PostgreSQL names it in
    the error's diagnostics (`diag.constraint_name`): check, unique and exclusion
    constraints alike. SQLite has no exclusion constraint; it names a CHECK constraint,
    and gives a UNIQUE one's table and columns, which name the model's one unique
    constraint on them."""
    cause = error.__cause__
    diag = getattr(cause, "diag", None)
    if diag is not None:
        return diag.constraint_name
    if not isinstance(cause, sqlite3.IntegrityError):
        return None
    text = str(cause)
    if cause.sqlite_errorname == "SQLITE_CONSTRAINT_CHECK" and text.startswith(_SQLITE_CHECK):
        return text.removeprefix(_SQLITE_CHECK)
    if cause.sqlite_errorname == "SQLITE_CONSTRAINT_UNIQUE" and text.startswith(_SQLITE_UNIQUE):
        return _sqlite_unique_name(text.removeprefix(_SQLITE_UNIQUE).split(", "))
    return None


def _sqlite_unique_name(columns: list[str]) -> str | None:
    """The unique constraint declared on these `table.column`s, if exactly one is."""
    tables = {column.partition(".")[0] for column in columns}
    names = {column.partition(".")[2] for column in columns}
    found = [
        constraint.name
        for model in apps.get_models()
        if model._meta.db_table in tables
        for constraint in model._meta.constraints
        if isinstance(constraint, UniqueConstraint)
        and constraint.fields
        and {model._meta.get_field(f).column for f in constraint.fields} == names
    ]
    return found[0] if len(found) == 1 else None


class EpochSeconds(Func):
    """A datetime column as seconds since 1970-01-01 UTC, a float. A list of thousands
    of meetings (a week's occupancy) decodes floats several times faster than aware
    datetimes; `datetime.fromtimestamp(value, UTC)` gives the stored moment back exact
    to the microsecond (a double's spacing near 2^31 seconds is 0.5 µs, and rounding
    to the microsecond removes it) until the year 2242. Takes a column, not an
    expression with parameters: SQLite's form names it twice."""

    arity = 1
    output_field = FloatField()

    def get_db_converters(self, connection):
        # Both backends return a float already; Django's float() per row would cost
        # as much as the decoding saved.
        return []

    def as_postgresql(self, compiler, connection, **extra):
        return self.as_sql(
            compiler,
            connection,
            template="CAST(EXTRACT(EPOCH FROM %(expressions)s) AS double precision)",
            **extra,
        )

    def as_sqlite(self, compiler, connection, **extra):
        # Django stores 'YYYY-MM-DD HH:MM:SS[.ffffff]' in UTC: whole seconds from the
        # first 19 characters (strftime would round a fraction to milliseconds, .999999
        # up to the next second), the fraction (or '', which casts to 0) from character
        # 20 on. '%%%%s' survives this template's and the backend's %-formatting as '%s'.
        return self.as_sql(
            compiler,
            connection,
            template=(
                "(CAST(strftime('%%%%s', substr(%(expressions)s, 1, 19)) AS REAL)"
                " + CAST(substr(%(expressions)s, 20) AS REAL))"
            ),
            **extra,
        )

    def as_sql(self, compiler, connection, **extra):
        if "template" not in extra:
            raise NotSupportedError(f"EpochSeconds is not written for {connection.vendor}.")
        return super().as_sql(compiler, connection, **extra)
