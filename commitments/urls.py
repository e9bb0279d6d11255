from django.urls import path, register_converter

from commitments import views


class StateConverter:
    """A state's USPS code in lower case, as city URLs spell it."""

    regex = "[a-z]{2}"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value.lower()


register_converter(StateConverter, "state")

app_name = "commitments"
urlpatterns = [
    path("", views.home, name="home"),
    path("cities/", views.scorecard, name="scorecard"),
    path("cities/<state:state>/<slug:slug>/", views.city_detail, name="city"),
    path("principles/", views.principle_list, name="principles"),
    path("principles/<slug:slug>/", views.principle_detail, name="principle"),
    path("methodology/", views.methodology, name="methodology"),
    path("pledge/", views.pledge, name="pledge"),
    path("updates/", views.updates, name="updates"),
]
