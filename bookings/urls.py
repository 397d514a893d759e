"""The employees' pages, each family's routes kept beside its views."""

from bookings.views import book, calendar, meeting, mine

app_name = "bookings"

urlpatterns = [
    *book.urlpatterns,
    *calendar.urlpatterns,
    *mine.urlpatterns,
    *meeting.urlpatterns,
]
