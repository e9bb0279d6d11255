"""Pledge Tracker's URLs: public pages, advocate pages, open data and the staff admin."""

from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.contrib.auth.views import PasswordResetView
from django.urls import include, path

from pledge_tracker.demo_login import LoginView
from pledge_tracker.favicon import favicon
from pledge_tracker.health import healthz
from pledge_tracker.i18n import choose_language
from pledge_tracker.limits import limit

# Each address may ask for only so many reset mails (logins are limited by django-axes).
password_reset = limit("PASSWORD_RESET_RATE_LIMIT", methods=("POST",), page=True)(
    PasswordResetView.as_view()
)

# For programs and staff, in English at one address: health, the admin, the API, downloads.
urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("favicon.ico", favicon, name="favicon"),
    path("language/<str:language>/", choose_language, name="choose_language"),
    path("admin/", admin.site.urls),
    path("api/", include("commitments.api_urls")),
    path("", include("commitments.data_urls")),
]
# For people, in English and, under /es/, in Spanish.
urlpatterns += i18n_patterns(
    path("accounts/password_reset/", password_reset, name="password_reset"),
    path("accounts/login/", LoginView.as_view(), name="login"),  # with the demo logins, in DEBUG
    path("accounts/", include("django.contrib.auth.urls")),
    path("advocate/", include("commitments.advocate_urls")),
    path("official/", include("commitments.official_urls")),
    path("follow/", include("commitments.follow_urls")),  # forms and signed links: not cached
    path("", include("commitments.urls")),
    prefix_default_language=False,
)
