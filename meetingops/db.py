"""Database expressions the apps share, written for both backends the product runs on
(PostgreSQL, and SQLite as the embedded default)."""

from __future__ import annotations

from django.db import NotSupportedError
from django.db.models import FloatField, Func


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
