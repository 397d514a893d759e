from allauth.account.decorators import secure_admin_login
from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from meetingops import views

admin.site.site_header = _("MeetingOps administration")
admin.site.site_title = _("MeetingOps")
admin.site.index_title = _("Meeting rooms, approvals and oversight")
# Admin sign-in goes through allauth, so its rate limits (and, later, two-factor) apply.
admin.site.login = secure_admin_login(admin.site.login)

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.health, name="health"),
    path("language", views.language_set, name="language_set"),
    path("", include("bookings.urls")),
    path("accounts/", include("allauth.urls")),
    path("account/", include("security.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", include("bookings.api.urls")),
    path("api/v1/", include("security.api.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
]

# Errors: JSON in the API's one shape under /api/, pages in the site's look elsewhere.
handler400 = "meetingops.views.bad_request"
handler403 = "meetingops.views.permission_denied"
handler404 = "meetingops.views.page_not_found"
handler500 = "meetingops.views.server_error"

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
