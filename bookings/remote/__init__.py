"""BK-17: Tencent Meeting's and Zoom's REST clients (`tencent.TencentClient`,
`zoom.ZoomClient`), both speaking `bookings.providers.RemoteClient`, and what they share
(`http`): one call with timeouts, its failure as a ProviderError, secrets kept out of
logs, messages and reprs.

`provider_client` gives the client of a provider account; only the worker calls it
(bookings.services.remote_meetings), never a web request."""

from __future__ import annotations

from bookings.models import Provider
from bookings.providers import RemoteClient


def provider_client(provider: Provider) -> RemoteClient:
    """The REST client of `provider`, reading its credentials (`Provider.credentials`).
    ValueError for a provider that is not reached over a REST API (manual, Jitsi)."""
    if provider.kind == Provider.Kind.TENCENT:
        from bookings.remote.tencent import TencentClient

        return TencentClient(provider)
    if provider.kind == Provider.Kind.ZOOM:
        from bookings.remote.zoom import ZoomClient

        return ZoomClient(provider)
    raise ValueError(f"provider {provider.pk} ({provider.kind}) has no REST client")
