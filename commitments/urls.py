"""The public pages, in English and under /es/ in Spanish (`pledge_tracker.urls`).

Every public page only reads (other methods get 405), answers conditional requests, is cached
by the record's version (commitments.caching) and can be read as of a past day
(commitments.as_of). Downloads, feeds and images are in `commitments.data_urls`.
"""

from django.urls import path

from commitments import converters, open_data, views  # noqa: F401 (registers <state:>)
from commitments.caching import public

app_name = "commitments"
urlpatterns = [
    path("", public(views.home), name="home"),
    path("cities/", public(views.scorecard), name="scorecard"),
    path("grid/", public(views.grid), name="grid"),
    path("compare/", public(views.compare), name="compare"),
    path("map/", public(views.map_page), name="map"),
    path("cities/<state:state>/<slug:slug>/", public(views.city_detail), name="city"),
    path("cities/<state:state>/<slug:slug>/pledge/", public(views.city_pledge), name="city_pledge"),
    path("principles/", public(views.principle_list), name="principles"),
    path("principles/<slug:slug>/", public(views.principle_detail), name="principle"),
    path("methodology/", public(views.methodology), name="methodology"),
    path("pledge/", public(views.pledge), name="pledge"),
    path("updates/", public(views.updates), name="updates"),
    path("changes/", public(views.changes), name="changes"),
    path("data/", public(open_data.data_page), name="data"),
]
