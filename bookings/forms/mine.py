"""My meetings' filters: which list, and the words to look for in the topics."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from bookings.selectors import MINE_TABS
from bookings.selectors.mine import SEARCH_MAX


class MineFilterForm(forms.Form):
    tab = forms.ChoiceField(
        choices=[(t, t) for t in MINE_TABS], required=False, widget=forms.HiddenInput
    )
    q = forms.CharField(
        label=_("Search the topics"),
        max_length=SEARCH_MAX,
        required=False,
        widget=forms.TextInput(attrs={"type": "search"}),
    )

    def choice(self) -> tuple[str, str]:
        """The list and the search asked for; an unknown list is the first one, and a
        search too long is cut to what a topic can hold (a filter, not a refusal)."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        tab = data.get("tab") or MINE_TABS[0]
        search = data.get("q") or (self.data.get("q") or "")[:SEARCH_MAX]
        return tab, search.strip()
