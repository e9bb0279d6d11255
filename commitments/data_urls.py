"""Downloads, feeds and images: made for programs, so in one language (English, with stable
column names) at one address, which the pages in every language link to.

Read-only, conditional, cached and readable as of a past day like the pages
(`commitments.caching.public`); each client may fetch them only so often.
"""

from django.urls import path

from commitments import cards, converters, open_data  # noqa: F401 (registers <state:>)
from commitments.caching import public
from pledge_tracker.limits import limit, one_stream_at_a_time

downloads = limit("DOWNLOAD_RATE_LIMIT")


def streamed(view):
    """A log's CSV, streamed: limited like every download, one at a time per client and
    `STREAMS_AT_ONCE` on the site. (The updates and evidence CSVs limit their streams
    themselves: their whole logs, sent from files, are not.)"""
    return downloads(one_stream_at_a_time(public(view)))


app_name = "data"
urlpatterns = [
    path("cities/<state:state>/<slug:slug>/badge.svg", public(open_data.badge), name="badge"),
    path("cities/<state:state>/<slug:slug>/card.png", public(cards.city_card), name="city_card"),
    path(
        "cities/<state:state>/<slug:slug>/feed/",
        downloads(public(open_data.CityUpdatesFeed())),
        name="city_feed",
    ),
    path(
        "principles/<slug:slug>/feed/",
        downloads(public(open_data.PrincipleUpdatesFeed())),
        name="principle_feed",
    ),
    path("updates/feed/", downloads(public(open_data.UpdatesFeed())), name="updates_feed"),
    path("data/changes.csv", downloads(public(open_data.changes_csv)), name="changes_csv"),
    path("data/cities.csv", downloads(public(open_data.cities_csv)), name="cities_csv"),
    path("data/updates.csv", downloads(public(open_data.updates_csv)), name="updates_csv"),
    path(
        "data/city-reports.csv",
        streamed(open_data.city_reports_csv),
        name="city_reports_csv",
    ),
    path("data/evidence.csv", downloads(public(open_data.evidence_csv)), name="evidence_csv"),
    path(
        "data/police-violence.csv",
        downloads(public(open_data.police_violence_csv)),
        name="police_violence_csv",
    ),
]
