"""SE-1: only the company's own email domains may sign up or be added to an account.
(The password-reset form is left alone: it must keep working for every account.)"""

from __future__ import annotations

from allauth.account.forms import AddEmailForm, SignupForm
from django import forms
from django.conf import settings
from django.utils.translation import gettext as _


def validate_company_email(email: str) -> str:
    domain = email.rsplit("@", 1)[-1].lower()
    if domain not in settings.ALLOWED_SIGNUP_DOMAINS:
        raise forms.ValidationError(
            _("Only company addresses can be used: use an address at %(domains)s.")
            % {"domains": ", ".join(f"@{d}" for d in settings.ALLOWED_SIGNUP_DOMAINS)},
            code="email_domain_not_allowed",
        )
    return email


class CompanySignupForm(SignupForm):
    def clean_email(self) -> str:
        return validate_company_email(super().clean_email())


class CompanyAddEmailForm(AddEmailForm):
    def clean_email(self) -> str:
        return validate_company_email(super().clean_email())
