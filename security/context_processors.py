from django.conf import settings


def signup(request) -> dict[str, bool]:
    """SE-1: pages offer sign-up only while the company allows it."""
    return {"signup_open": bool(settings.ALLOWED_SIGNUP_DOMAINS)}
