from django.urls import path

from commitments import cards, converters, open_data, views  # noqa: F401 (registers <state:>)
from commitments.caching import public
from pledge_tracker.limits import limit

# Every public page, download and feed only reads (other methods get 405), answers conditional
# requests, is cached by the record's version (commitments.caching) and can be read as of a past
# day (commitments.as_of). Downloads and feeds are made for programs, so each client may fetch
# them only so often.
downloads = limit("DOWNLOAD_RATE_LIMIT")

app_name = "commitments"
urlpatterns = [
    path("", public(views.home), name="home"),
    path("cities/", public(views.scorecard), name="scorecard"),
    path("grid/", public(views.grid), name="grid"),
    path("compare/", public(views.compare), name="compare"),
    path("map/", public(views.map_page), name="map"),
    path("cities/<state:state>/<slug:slug>/", public(views.city_detail), name="city"),
    path("cities/<state:state>/<slug:slug>/pledge/", public(views.city_pledge), name="city_pledge"),
    path("cities/<state:state>/<slug:slug>/badge.svg", public(open_data.badge), name="badge"),
    path("cities/<state:state>/<slug:slug>/card.png", public(cards.city_card), name="city_card"),
    path(
        "cities/<state:state>/<slug:slug>/feed/",
        downloads(public(open_data.CityUpdatesFeed())),
        name="city_feed",
    ),
    path("principles/", public(views.principle_list), name="principles"),
    path("principles/<slug:slug>/", public(views.principle_detail), name="principle"),
    path(
        "principles/<slug:slug>/feed/",
        downloads(public(open_data.PrincipleUpdatesFeed())),
        name="principle_feed",
    ),
    path("methodology/", public(views.methodology), name="methodology"),
    path("pledge/", public(views.pledge), name="pledge"),
    path("updates/", public(views.updates), name="updates"),
    path("changes/", public(views.changes), name="changes"),
    path("data/changes.csv", downloads(public(open_data.changes_csv)), name="changes_csv"),
    path("updates/feed/", downloads(public(open_data.UpdatesFeed())), name="updates_feed"),
    path("data/", public(open_data.data_page), name="data"),
    path("data/cities.csv", downloads(public(open_data.cities_csv)), name="cities_csv"),
    path("data/updates.csv", downloads(public(open_data.updates_csv)), name="updates_csv"),
    path("data/evidence.csv", downloads(public(open_data.evidence_csv)), name="evidence_csv"),
    path(
        "data/police-violence.csv",
        downloads(public(open_data.police_violence_csv)),
        name="police_violence_csv",
    ),
]
