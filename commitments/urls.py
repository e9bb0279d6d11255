from django.urls import path

from commitments import converters, open_data, views  # noqa: F401 (registers <state:>)

app_name = "commitments"
urlpatterns = [
    path("", views.home, name="home"),
    path("cities/", views.scorecard, name="scorecard"),
    path("cities/<state:state>/<slug:slug>/", views.city_detail, name="city"),
    path("cities/<state:state>/<slug:slug>/pledge/", views.city_pledge, name="city_pledge"),
    path("cities/<state:state>/<slug:slug>/badge.svg", open_data.badge, name="badge"),
    path("cities/<state:state>/<slug:slug>/feed/", open_data.CityUpdatesFeed(), name="city_feed"),
    path("principles/", views.principle_list, name="principles"),
    path("principles/<slug:slug>/", views.principle_detail, name="principle"),
    path("principles/<slug:slug>/feed/", open_data.PrincipleUpdatesFeed(), name="principle_feed"),
    path("methodology/", views.methodology, name="methodology"),
    path("pledge/", views.pledge, name="pledge"),
    path("updates/", views.updates, name="updates"),
    path("updates/feed/", open_data.UpdatesFeed(), name="updates_feed"),
    path("data/", open_data.data_page, name="data"),
    path("data/cities.csv", open_data.cities_csv, name="cities_csv"),
    path("data/updates.csv", open_data.updates_csv, name="updates_csv"),
    path("data/evidence.csv", open_data.evidence_csv, name="evidence_csv"),
    path("data/police-violence.csv", open_data.police_violence_csv, name="police_violence_csv"),
]
