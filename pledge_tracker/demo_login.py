"""The login page, which in development also shows the demo's logins (`commitments.demo`)."""

from django.contrib.auth import views as auth_views
from django.shortcuts import resolve_url

from commitments.city_reports import official_city
from commitments.demo import demo_logins


class LoginView(auth_views.LoginView):
    def get_context_data(self, **kwargs):
        return super().get_context_data(demo_logins=demo_logins(), **kwargs)

    def get_default_redirect_url(self):
        """A verified city official lands on their page, everyone else on the dashboard."""
        if official_city(self.request.user):
            return resolve_url("official:page")
        return super().get_default_redirect_url()
