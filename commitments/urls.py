from django.urls import path

from commitments import converters, views  # noqa: F401 (registers <state:>)

app_name = "commitments"
urlpatterns = [
    path("", views.home, name="home"),
    path("cities/", views.scorecard, name="scorecard"),
    path("cities/<state:state>/<slug:slug>/", views.city_detail, name="city"),
    path("cities/<state:state>/<slug:slug>/pledge/", views.city_pledge, name="city_pledge"),
    path("principles/", views.principle_list, name="principles"),
    path("principles/<slug:slug>/", views.principle_detail, name="principle"),
    path("methodology/", views.methodology, name="methodology"),
    path("pledge/", views.pledge, name="pledge"),
    path("updates/", views.updates, name="updates"),
]
