"""The login page, which in development also shows the demo's logins (`commitments.demo`)."""

from django.contrib.auth import views as auth_views

from commitments.demo import demo_logins


class LoginView(auth_views.LoginView):
    def get_context_data(self, **kwargs):
        return super().get_context_data(demo_logins=demo_logins(), **kwargs)
