"""The employees' pages (BK-1, BK-5 to BK-9, X-2): thin views over the booking services
and selectors, one module per page family. What a viewer may read of a meeting is
`bookings.secrecy`'s to decide, here as at every other door."""
