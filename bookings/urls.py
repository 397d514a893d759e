"""The employees' pages, each family's routes kept beside its views."""

from bookings.views import answers, attendance, book, calendar, feed, meeting, mine

app_name = "bookings"

urlpatterns = [
    *book.urlpatterns,
    *calendar.urlpatterns,
    *mine.urlpatterns,
    *meeting.urlpatterns,
    *answers.urlpatterns,
    *attendance.urlpatterns,
    *feed.urlpatterns,
]
