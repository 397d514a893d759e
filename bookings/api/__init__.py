"""The REST layer of bookings and availability (X-1, BK-1 to BK-9)."""
