"""Django admin of the bookings app, one module per sub-domain: the approvers' queue (BK-4)
with its date filter and the booking page's inlines, rooms, providers and blackout
periods, the versioned usage policy, suspended booking rights (BK-2, OV-5) and the
emails sent (X-3). Importing the package registers them all."""

from bookings.admin import emails, policy, queue, remote, rooms, suspensions

__all__ = ["emails", "policy", "queue", "remote", "rooms", "suspensions"]
