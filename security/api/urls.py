from django.urls import path

from security.api import views

urlpatterns = [
    path("me/tokens/", views.ApiTokenCollectionApi.as_view(), name="api-token-list"),
    path("me/calendar-feed/", views.CalendarFeedApi.as_view(), name="api-calendar-feed"),
    path(
        "me/tokens/<int:token_id>/revoke/",
        views.ApiTokenRevokeApi.as_view(),
        name="api-token-revoke",
    ),
]
