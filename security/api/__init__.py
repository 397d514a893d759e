"""The REST layer of personal API tokens (X-1)."""
