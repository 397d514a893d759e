"""Account emails (sign-up confirmation, password reset, and allauth's other notices),
sent by the worker (X-3). The web request renders the message, in the reader's
language, and hands over its parts; nothing here needs the request again."""

from __future__ import annotations

from celery import shared_task
from django.core.mail import EmailMessage, EmailMultiAlternatives


@shared_task(
    name="security.tasks.account_email_send",
    acks_late=True,
    autoretry_for=(OSError,),  # smtplib's errors and refused connections
    retry_backoff=True,
    max_retries=5,
)
def account_email_send_task(
    *,
    subject: str,
    from_email: str,
    to: list[str],
    body: str = "",
    html: str = "",
    headers: dict[str, str] | None = None,
) -> int:
    """Send one rendered email: a plain-text body with an HTML alternative, or an HTML
    body alone (as allauth builds them). A failure that outlasts the retries is
    reported to IT like any job's (meetingops.celery)."""
    if body:
        message = EmailMultiAlternatives(subject, body, from_email, to, headers=headers)
        if html:
            message.attach_alternative(html, "text/html")
    else:
        message = EmailMessage(subject, html, from_email, to, headers=headers)
        message.content_subtype = "html"
    return message.send()
