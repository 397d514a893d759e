"""What the remote providers' clients share: one HTTP call over httpx with timeouts,
its failure turned into a ProviderError (transient for a network error, a timeout, 408,
429 and a 5xx; not for another 4xx), the provider's Retry-After read, and the
credentials kept out of logs, exception messages and reprs.

The clients never retry a failed call themselves (except Zoom's one token refresh on a
401): the task that calls them retries with backoff, using `transient` and
`retry_after` (PROVIDERS.md "What holds for every provider")."""

from __future__ import annotations

import datetime as dt
import email.utils
import logging
import time
from collections.abc import Iterable, Mapping

import httpx
from django.utils.translation import gettext as _

from bookings.providers import ProviderError

logger = logging.getLogger("bookings.remote")

# A call that has not connected within 5 s, or not answered within 15 s, has failed
# (transient): the worker must not hang on a provider.
TIMEOUT = httpx.Timeout(15.0, connect=5.0)

TRANSIENT_STATUSES = frozenset({408, 429})


def start_key(moment: dt.datetime) -> str:
    """How RemoteMeeting.occurrence_keys names a meeting of a series: its start, in
    UTC, ISO 8601 to the second (2026-12-09T02:00:00Z)."""
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def is_transient(status: int) -> bool:
    return status in TRANSIENT_STATUSES or status >= 500


def retry_after(headers: Mapping[str, str], *, now: float | None = None) -> float | None:
    """Seconds the provider asked to wait: `Retry-After` as seconds or as an HTTP date
    (RFC 9110 §10.2.3), or as an ISO 8601 moment (as a daily limit may give it); None
    when absent or unreadable."""
    value = (headers.get("Retry-After") or "").strip()
    if not value:
        return None
    try:
        return max(float(value), 0.0)
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        try:
            when = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return max(when.timestamp() - (time.time() if now is None else now), 0.0)


def scrub(text: str, secrets: Iterable[str]) -> str:
    """`text` with every secret replaced, in case a provider echoes one back."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, "***")
    return text


def missing_credentials(provider_label: str, names: Iterable[str]) -> ProviderError:
    """The provider account lacks credentials: no retry fixes that, IT must (the message
    names the missing keys, never a value)."""
    return ProviderError(
        _("The %(provider)s account lacks its credentials: %(names)s.")
        % {"provider": provider_label, "names": ", ".join(names)},
        transient=False,
        code="credentials_missing",
    )


class RestClient:
    """The base of a provider's client: holds the httpx client and the secrets to keep
    out of what it logs and raises. Subclasses set `label` and read their answers."""

    label = ""

    def __init__(self, *, http: httpx.Client | None, secrets: Iterable[str]) -> None:
        self._owns_http = http is None
        self._http = http if http is not None else httpx.Client(timeout=TIMEOUT)
        self._secrets = tuple(s for s in secrets if s)

    def keep_secret(self, value: str) -> None:
        """Scrub `value` (a token obtained on the way) from what this client raises."""
        if value and value not in self._secrets:
            self._secrets = (*self._secrets, value)

    def close(self) -> None:
        if self._owns_http:
            self._http.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def send(self, request: httpx.Request) -> httpx.Response:
        """Send `request`; a timeout or a network failure is a transient ProviderError.
        Logs the method, the path (never the query, the headers or the body) and the
        status."""
        started = time.monotonic()
        path = request.url.path
        try:
            response = self._http.send(request)
        except httpx.TimeoutException:
            logger.warning("%s %s %s timed out", self.label, request.method, path)
            raise ProviderError(
                _("%(provider)s did not answer in time.") % {"provider": self.label},
                transient=True,
                code="timeout",
            ) from None
        except httpx.TransportError as error:
            # The error's text may carry the URL (Zoom's token URL names the account).
            reason = type(error).__name__
            logger.warning("%s %s %s failed: %s", self.label, request.method, path, reason)
            raise ProviderError(
                _("%(provider)s could not be reached (%(reason)s).")
                % {"provider": self.label, "reason": reason},
                transient=True,
                code="network",
            ) from None
        logger.info(
            "%s %s %s -> %s in %.2fs",
            self.label,
            request.method,
            path,
            response.status_code,
            time.monotonic() - started,
        )
        return response

    def refused(
        self, response: httpx.Response, *, code: str = "", message: str = ""
    ) -> ProviderError:
        """The ProviderError for a refusal: transient or not by the status, Retry-After
        kept, secrets scrubbed from the provider's own words."""
        status = response.status_code
        text = _("%(provider)s refused the call (HTTP %(status)s, code %(code)s): %(message)s") % {
            "provider": self.label,
            "status": status,
            "code": code or "-",
            "message": message or response.reason_phrase,
        }
        return ProviderError(
            scrub(text, self._secrets),
            transient=is_transient(status),
            status=status,
            code=code or str(status),
            retry_after=retry_after(response.headers),
        )

    def unreadable(self, response: httpx.Response) -> ProviderError:
        """A 2xx whose body is not the documented shape: retrying sends the same call
        again, which may create a second meeting, so it is not transient."""
        return ProviderError(
            _("%(provider)s gave an answer MeetingOps cannot read (HTTP %(status)s).")
            % {"provider": self.label, "status": response.status_code},
            transient=False,
            status=response.status_code,
            code="unreadable_answer",
        )

    def json_of(self, response: httpx.Response) -> dict:
        """The JSON object of an answer ({} for an empty one); None-safe for errors."""
        if not response.content:
            return {}
        try:
            data = response.json()
        except ValueError:
            return {}
        return data if isinstance(data, dict) else {}
