"""The employee's security page (X-1), under /account/."""

from django.urls import path

from security import views

app_name = "security"

urlpatterns = [
    path("profile/", views.profile, name="profile"),
    path("security/", views.token_list, name="tokens"),
    path("calendar-feed/", views.calendar_feed_renew, name="calendar_feed_renew"),
    path("security/tokens/<int:token_id>/revoke/", views.token_revoke, name="token_revoke"),
]
