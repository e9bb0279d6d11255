from django.urls import path, re_path
from drf_spectacular.views import SpectacularSwaggerSplitView
from rest_framework.routers import SimpleRouter

from commitments import (
    api,
    converters,  # noqa: F401 (registers <state:>)
)
from commitments.api_schema import SchemaView
from commitments.caching import public

router = SimpleRouter()
router.register("principles", api.PrincipleViewSet, basename="principle")
router.register("updates", api.UpdateViewSet, basename="update")
router.register("evidence", api.EvidenceViewSet, basename="evidence")
router.register("pledges", api.PledgeViewSet, basename="pledge")


def public_urls(patterns):
    """The API is read-only and public: every endpoint is served as `caching.public` says."""
    for pattern in patterns:
        pattern.callback = public(pattern.callback)
    return patterns


app_name = "api"
urlpatterns = public_urls(
    [
        path("", api.api_root, name="root"),
        path("cities/", api.CityList.as_view(), name="city-list"),
        path("cities/<state:state>/<slug:slug>/", api.CityScorecard.as_view(), name="city-detail"),
        path("schema/", SchemaView.as_view(), name="schema"),
        path(
            "docs/",
            # Split: the page loads its script from a URL, as the Content Security Policy asks.
            SpectacularSwaggerSplitView.as_view(
                url_name="api:schema", template_name="api/docs.html"
            ),
            name="docs",
        ),
        *router.urls,
        # Last, and only with the closing slash, so that APPEND_SLASH still redirects
        # `/api/cities` to its endpoint. Any character, a newline too (`(?s)` is not reversible).
        re_path(r"^(?P<path>[\s\S]*)/\Z", api.not_found),
    ]
)
