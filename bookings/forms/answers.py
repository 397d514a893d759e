"""BK-11: the answer form of the meeting page and of the invitation's signed link. It
shapes what the invitee chooses into what `services.participant_answer` takes; whether
the answer stands (a reason for a decline, a meeting still to come) is the service's to
say, shown next to the field it names."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from bookings.forms.meeting import ServiceErrorsForm
from bookings.models import Participant
from bookings.services.answers import SCOPE_FOLLOWING, SCOPE_ONE
from bookings.validation import MAX_REASON

R = Participant.Response

ANSWER_CHOICES = [
    (R.ACCEPTED, _("Accept: I will come")),
    (R.TENTATIVE, _("Tentative: I may come")),
    (R.DECLINED, _("Decline: leave request, with a reason")),
]
SCOPE_CHOICES = [
    (SCOPE_ONE, _("This meeting only")),
    (SCOPE_FOLLOWING, _("This meeting and the rest of the series")),
]


class AnswerForm(ServiceErrorsForm):
    """The answer, its reason, and for a series whether it holds for the meetings after
    this one. `meetings`: the participant rows the person may answer (the meeting page
    offers a choice among them; the link names its one)."""

    occurrence = forms.TypedChoiceField(label=_("Meeting"), coerce=int, required=False)
    response = forms.ChoiceField(
        label=_("Your answer"), choices=ANSWER_CHOICES, widget=forms.RadioSelect, required=False
    )
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        max_length=MAX_REASON,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Needed when you decline: the organizer reads it as your leave request."),
    )
    scope = forms.ChoiceField(
        label=_("For which meetings"),
        choices=SCOPE_CHOICES,
        widget=forms.RadioSelect,
        initial=SCOPE_ONE,
        required=False,
    )

    def __init__(self, *args, meetings=(), series: bool = False, labels=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["occurrence"].choices = [
            (p.occurrence_id, (labels or {}).get(p.occurrence_id, str(p.occurrence_id)))
            for p in meetings
        ]
        if not series:
            del self.fields["scope"]

    def clean_response(self) -> str:
        # Unchosen: the service's own message ("choose accept, tentative or decline").
        return self.cleaned_data.get("response") or ""

    def clean_scope(self) -> str:
        return self.cleaned_data.get("scope") or SCOPE_ONE
