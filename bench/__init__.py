"""Benchmarks run against a PostgreSQL bench database (see bench/bookings.py)."""
