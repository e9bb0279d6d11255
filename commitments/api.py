"""The read-only JSON API: the same approved record as the pages, filtered the same way."""

from django.db.models import Exists, OuterRef
from drf_spectacular.utils import extend_schema
from rest_framework import generics, viewsets
from rest_framework.decorators import api_view
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.reverse import reverse

from commitments.api_schema import Documented
from commitments.as_of import as_of
from commitments.city_reports import verified_officials
from commitments.filters import CityFilter, EvidenceFilter, PledgeFilter, UpdateFilter
from commitments.pagination import EvidencePagination, LogPagination
from commitments.scores import pledge_record, scored_cities
from commitments.selectors import (
    approved_evidence,
    approved_updates,
    framework,
    listed_cities,
    pageable,
)
from commitments.serializers import (
    CityScorecardSerializer,
    CitySerializer,
    EvidenceSerializer,
    PledgeSerializer,
    PrincipleSerializer,
    UpdateSerializer,
)


class PublicAPI:
    """The schema says every error the view may answer with (`api_schema`)."""

    schema = Documented()


class CityList(PublicAPI, generics.ListAPIView):
    """Every city with its score, grade, principle scores, mayor and pledge status."""

    serializer_class = CitySerializer
    filterset_class = CityFilter

    def get_queryset(self):
        return listed_cities(self.request.query_params, as_of(self.request))

    def paginate_queryset(self, queryset):
        return super().paginate_queryset(pageable(queryset, as_of(self.request)))


class CityScorecard(PublicAPI, generics.RetrieveAPIView):
    """One city's full scorecard: mayors and pledges, principles, actions, statuses, evidence."""

    serializer_class = CityScorecardSerializer

    def get_object(self):
        day = as_of(self.request)
        officials = verified_officials(day).filter(city=OuterRef("pk"))
        return generics.get_object_or_404(
            scored_cities(day).annotate(verified_official=Exists(officials)),
            state=self.kwargs["state"].upper(),
            slug=self.kwargs["slug"],
        )


class PrincipleViewSet(PublicAPI, viewsets.ReadOnlyModelViewSet):
    """The seven principles with their actions and "achieved when" criteria."""

    serializer_class = PrincipleSerializer
    lookup_field = "slug"
    pagination_class = None

    def get_queryset(self):
        return framework()


class UpdateViewSet(PublicAPI, viewsets.ReadOnlyModelViewSet):
    """Approved progress updates, the latest published first (with `order=happened`, the latest
    to happen first)."""

    serializer_class = UpdateSerializer
    filterset_class = UpdateFilter
    pagination_class = LogPagination

    def get_queryset(self):
        return approved_updates(as_of(self.request))


class EvidenceViewSet(PublicAPI, viewsets.ReadOnlyModelViewSet):
    """Approved evidence, newest first."""

    serializer_class = EvidenceSerializer
    filterset_class = EvidenceFilter
    pagination_class = EvidencePagination

    def get_queryset(self):
        return approved_evidence(as_of(self.request))


class PledgeViewSet(PublicAPI, viewsets.ReadOnlyModelViewSet):
    """Approved pledge records of every mayor, newest first."""

    serializer_class = PledgeSerializer
    filterset_class = PledgeFilter

    def get_queryset(self):
        return pledge_record(as_of(self.request)).select_related("mayor", "mayor__city")


ENDPOINTS = {"cities": "city-list", "principles": "principle-list", "updates": "update-list",
             "evidence": "evidence-list", "pledges": "pledge-list", "schema": "schema",
             "docs": "docs"}  # fmt: skip


@extend_schema(exclude=True)
@api_view(["GET"])
def api_root(request, format=None):
    """Pledge Tracker's open data: every endpoint, read-only, licensed CC BY 4.0."""
    return Response(
        {key: reverse(f"api:{name}", request=request) for key, name in ENDPOINTS.items()}
    )


@extend_schema(exclude=True)
@api_view(["GET"])
def not_found(request, path):
    """Any other address under /api/ is answered as the API answers, in JSON, not with the
    site's HTML page: a path parameter that no route takes (`/api/evidence/0.5/`) included."""
    raise NotFound
