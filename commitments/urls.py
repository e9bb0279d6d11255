from django.urls import path
from django.views.decorators.http import require_safe as read_only

from commitments import converters, open_data, views  # noqa: F401 (registers <state:>)

# Every public page, download and feed only reads: other methods get 405.

app_name = "commitments"
urlpatterns = [
    path("", read_only(views.home), name="home"),
    path("cities/", read_only(views.scorecard), name="scorecard"),
    path("cities/<state:state>/<slug:slug>/", read_only(views.city_detail), name="city"),
    path(
        "cities/<state:state>/<slug:slug>/pledge/", read_only(views.city_pledge), name="city_pledge"
    ),
    path("cities/<state:state>/<slug:slug>/badge.svg", read_only(open_data.badge), name="badge"),
    path(
        "cities/<state:state>/<slug:slug>/feed/",
        read_only(open_data.CityUpdatesFeed()),
        name="city_feed",
    ),
    path("principles/", read_only(views.principle_list), name="principles"),
    path("principles/<slug:slug>/", read_only(views.principle_detail), name="principle"),
    path(
        "principles/<slug:slug>/feed/",
        read_only(open_data.PrincipleUpdatesFeed()),
        name="principle_feed",
    ),
    path("methodology/", read_only(views.methodology), name="methodology"),
    path("pledge/", read_only(views.pledge), name="pledge"),
    path("updates/", read_only(views.updates), name="updates"),
    path("updates/feed/", read_only(open_data.UpdatesFeed()), name="updates_feed"),
    path("data/", read_only(open_data.data_page), name="data"),
    path("data/cities.csv", read_only(open_data.cities_csv), name="cities_csv"),
    path("data/updates.csv", read_only(open_data.updates_csv), name="updates_csv"),
    path("data/evidence.csv", read_only(open_data.evidence_csv), name="evidence_csv"),
    path(
        "data/police-violence.csv",
        read_only(open_data.police_violence_csv),
        name="police_violence_csv",
    ),
]
