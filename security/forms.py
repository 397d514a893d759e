"""SE-1: only the company's own email domains may sign up or be added to an account.
(The password-reset form is left alone: it must keep working for every account.)
X-1: the form that names a new personal API token."""

from __future__ import annotations

from allauth.account.forms import AddEmailForm, SignupForm
from django import forms
from django.utils.translation import gettext_lazy

from meetingops.errors import ApplicationError
from security.services import signup_domain_check


def company_email(email: str) -> str:
    """`signup_domain_check`, its refusal as the form field's error."""
    try:
        return signup_domain_check(email)
    except ApplicationError as error:
        raise forms.ValidationError(error.detail, code=error.code) from None


class CompanySignupForm(SignupForm):
    def clean_email(self) -> str:
        return company_email(super().clean_email())


class CompanyAddEmailForm(AddEmailForm):
    def clean_email(self) -> str:
        return company_email(super().clean_email())


class ApiTokenCreateForm(forms.Form):
    """Only the shape of the input: whether a name is acceptable, and whether the user
    may have one more token, is `api_token_create`'s to say (one rule, one place)."""

    name = forms.CharField(
        label=gettext_lazy("Token name"),
        max_length=100,
        # Not required here: the service refuses an empty (or blank) name with its own
        # message; the browser is still asked to insist.
        required=False,
        help_text=gettext_lazy("What will use it, e.g. “calendar sync”."),
        widget=forms.TextInput(attrs={"required": True, "autocomplete": "off"}),
    )

    def add_application_error(self, error: ApplicationError) -> None:
        """Show a service's refusal on the form: its message above the fields, and its
        per-field messages under the fields."""
        self.add_error(None, error.detail)
        for field, messages in error.fields.items():
            for message in messages:
                self.add_error(field if field in self.fields else None, message)
