"""Pledge Tracker's URLs: public pages, advocate pages, open data and the staff admin."""

from django.contrib import admin
from django.urls import include, path

from pledge_tracker.health import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("accounts/", include("django.contrib.auth.urls")),
    path("advocate/", include("commitments.advocate_urls")),
    path("api/", include("commitments.api_urls")),
    path("", include("commitments.urls")),
]
