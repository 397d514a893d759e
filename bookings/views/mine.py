"""My meetings (BK-7): upcoming and past, pending, rejected and cancelled, searched by
topic, a page at a time. A series is one item that opens to its meetings. The list and
what each item shows of its meeting are `selectors.booking_list_mine`'s and
`bookings.secrecy`'s (its `details_visible` annotation) to decide."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django.views.decorators.http import require_GET

from bookings import selectors
from bookings.forms.mine import MineFilterForm
from security.calendar_feeds import calendar_feed_get, feed_links

PAGE_SIZE = 20
TAB_LABELS = {
    "upcoming": _("Upcoming"),
    "pending": _("Waiting for approval"),
    "past": _("Past"),
    "rejected": _("Rejected"),
    "cancelled": _("Cancelled"),
    "all": pgettext_lazy("meetings", "All"),
}


@login_required
@require_GET
def mine(request: HttpRequest) -> HttpResponse:
    form = MineFilterForm(request.GET)
    tab, search = form.choice()
    bookings = selectors.booking_list_mine(user=request.user, tab=tab, search=search)
    page = Paginator(bookings, PAGE_SIZE).get_page(request.GET.get("page"))
    query = {"tab": tab, **({"q": search} if search else {})}
    context = {
        "form": form,
        "tab": tab,
        "search": search,
        "tabs": [(name, TAB_LABELS[name]) for name in selectors.MINE_TABS],
        "page": page,
        "query": query,
        # BK-10: my meetings in my own calendar, by its feed's address.
        "calendar_feed": feed_links(calendar_feed_get(user=request.user)),
    }
    return render(request, "bookings/pages/mine.html", context)


urlpatterns = [path("meetings/", mine, name="mine")]
