"""SE-1: only the company's own email domains may sign up or be added to an account.
(The password-reset form is left alone: it must keep working for every account.)
X-1: the form that names a new personal API token. X-2: the profile (name, department,
time zone, language)."""

from __future__ import annotations

import zoneinfo

from allauth.account.forms import AddEmailForm, SignupForm
from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy

from meetingops.errors import ApplicationError
from security import selectors
from security.models import User, validate_time_zone
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


# the zones offered on the profile: where the company's people work, the company's
# own first. A zone set otherwise (by an administrator) stays offered to its user.
COMMON_TIME_ZONES = (
    "Asia/Shanghai",
    "Asia/Hong_Kong",
    "Asia/Taipei",
    "Asia/Singapore",
    "Asia/Tokyo",
    "Asia/Seoul",
    "Asia/Bangkok",
    "Asia/Kolkata",
    "Asia/Dubai",
    "Europe/London",
    "Europe/Paris",
    "Europe/Berlin",
    "Europe/Moscow",
    "America/New_York",
    "America/Chicago",
    "America/Denver",
    "America/Los_Angeles",
    "America/Sao_Paulo",
    "Australia/Sydney",
    "Pacific/Auckland",
    "UTC",
)


def time_zone_choices(current: str = "") -> list[tuple[str, str]]:
    zones = list(dict.fromkeys([settings.TIME_ZONE, *COMMON_TIME_ZONES]))
    if current and current not in zones and current in zoneinfo.available_timezones():
        zones.append(current)
    return [(zone, zone.replace("_", " ")) for zone in zones]


class ProfileForm(forms.Form):
    """X-2: what a person says of themselves. The form checks the shape (a zone of the
    list, a department that is open); `user_update` validates and writes the row, and
    its refusals land under their fields (`add_application_error`)."""

    name = forms.CharField(
        label=gettext_lazy("Name"),
        max_length=150,
        help_text=gettext_lazy("As colleagues know you, e.g. “Zhao Lei”."),
        error_messages={"required": gettext_lazy("Enter your name.")},
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    department = forms.ModelChoiceField(
        label=gettext_lazy("Department"),
        queryset=selectors.department_list_active(),
        empty_label=gettext_lazy("Choose your department"),
        error_messages={
            "required": gettext_lazy("Choose your department."),
            "invalid_choice": gettext_lazy(
                "That department is not open any more: choose one from the list."
            ),
        },
    )
    time_zone = forms.ChoiceField(
        label=gettext_lazy("Time zone"),
        help_text=gettext_lazy("Meeting times are shown and entered in this zone."),
        error_messages={
            "invalid_choice": gettext_lazy(
                "%(value)s is not one of the time zones offered: choose one from the list."
            ),
        },
        validators=[validate_time_zone],
    )
    language = forms.ChoiceField(
        label=gettext_lazy("Language"),
        required=False,
        help_text=gettext_lazy("For the pages after you sign in, and for your emails."),
        error_messages={
            "invalid_choice": gettext_lazy("Choose one of the languages offered."),
        },
    )

    def __init__(self, *args, user: User, **kwargs) -> None:
        kwargs.setdefault(
            "initial",
            {
                "name": user.name,
                "department": user.department_id,
                "time_zone": user.time_zone or settings.TIME_ZONE,
                "language": user.language,
            },
        )
        super().__init__(*args, **kwargs)
        self.fields["time_zone"].choices = time_zone_choices(user.time_zone)
        self.fields["language"].choices = [
            ("", gettext_lazy("As my browser asks")),
            *User.Language.choices,
        ]
        for name, field in self.fields.items():
            if field.help_text:
                field.widget.attrs["aria-describedby"] = self._help_id(name)

    def _help_id(self, name: str) -> str:
        return f"{self[name].auto_id}-help"

    def add_error(self, field, error) -> None:
        """Every error also marks its field for assistive technology: aria-invalid, and
        the error's text (`<small id="<id>-error">`) read with the field."""
        super().add_error(field, error)
        for name in self.errors:
            if name in self.fields:
                attrs = self.fields[name].widget.attrs
                attrs["aria-invalid"] = "true"
                described = [f"{self[name].auto_id}-error"]
                if self.fields[name].help_text:
                    described.append(self._help_id(name))
                attrs["aria-describedby"] = " ".join(described)

    def add_application_error(self, error: ApplicationError) -> None:
        """A service's refusal: each field's messages under the field, the rest (or the
        detail, when it names no field of this form) above them."""
        placed = False
        for field, messages in error.fields.items():
            for message in messages:
                if field in self.fields:
                    self.add_error(field, message)
                    placed = True
                else:
                    self.add_error(None, message)
        if not placed:
            self.add_error(None, error.detail)
