"""BK-17: Tencent Meeting's and Zoom's REST clients (`tencent.TencentClient`,
`zoom.ZoomClient`), both speaking `bookings.providers.RemoteClient`, and what they share
(`http`): one call with timeouts, its failure as a ProviderError, secrets kept out of
logs, messages and reprs."""
