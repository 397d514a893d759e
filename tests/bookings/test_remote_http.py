"""BK-17: what the providers' clients share (bookings/remote/http.py)."""

from __future__ import annotations

import datetime as dt

import pytest

from bookings.remote.http import is_transient, retry_after, scrub, start_key

NOW = dt.datetime(2026, 12, 7, 1, 0, tzinfo=dt.UTC).timestamp()


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        ("30", 30.0),
        ("0", 0.0),
        ("Mon, 07 Dec 2026 01:02:00 GMT", 120.0),  # an HTTP date
        ("2026-12-08T00:00:00Z", 23 * 3600.0),  # an ISO moment (a daily limit's reset)
        ("Mon, 07 Dec 2026 00:00:00 GMT", 0.0),  # already past: no wait
        ("soon", None),
        ("", None),
    ],
)
def test_retry_after_reads_seconds_dates_and_moments(value, seconds):
    assert retry_after({"Retry-After": value}, now=NOW) == seconds


def test_no_retry_after_header_is_no_wait_asked():
    assert retry_after({}, now=NOW) is None


@pytest.mark.parametrize(
    ("status", "transient"),
    [
        (400, False),
        (401, False),
        (403, False),
        (404, False),
        (408, True),
        (409, False),
        (429, True),
        (500, True),
        (502, True),
        (503, True),
        (504, True),
    ],
)
def test_only_timeouts_rate_limits_and_server_errors_are_worth_retrying(status, transient):
    assert is_transient(status) is transient


def test_scrub_replaces_every_secret_and_ignores_empty_ones():
    assert scrub("key K1 secret S2 K1", ["K1", "", "S2"]) == "key *** secret *** ***"


def test_start_key_names_a_meeting_by_its_start_in_utc():
    shanghai = dt.timezone(dt.timedelta(hours=8))
    assert start_key(dt.datetime(2026, 12, 9, 10, 0, tzinfo=shanghai)) == "2026-12-09T02:00:00Z"
