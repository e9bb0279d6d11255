"""The read-only JSON API: the same approved record as the pages, for machines."""

import django_filters
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import generics, serializers, viewsets
from rest_framework.decorators import api_view
from rest_framework.response import Response
from rest_framework.reverse import reverse

from cities.states import STATE_CHOICES
from commitments.forms import NOT_ASKED_VALUE, PLEDGE_FILTER_CHOICES
from commitments.models import Action, Evidence, EvidenceKind, Pledge, PledgeStatus, Principle
from commitments.scoring import GRADE_CHOICES, Status, points_for
from commitments.selectors import (
    approved_updates,
    current_statuses,
    framework,
    mayors_with_pledges,
    principle_cards,
    scorecard_cities,
)

# --- Serializers -------------------------------------------------------------------------------


class ActionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Action
        fields = ["code", "title", "achieved_when", "weight"]


class PrincipleSerializer(serializers.ModelSerializer):
    actions = ActionSerializer(many=True, read_only=True)

    class Meta:
        model = Principle
        fields = ["number", "slug", "title", "pledge_text", "actions"]


class CityRefSerializer(serializers.Serializer):
    state = serializers.CharField()
    slug = serializers.SlugField()
    name = serializers.CharField()


class EvidenceItemSerializer(serializers.ModelSerializer):
    class Meta:
        model = Evidence
        fields = ["id", "title", "url", "publisher", "published_on", "kind", "excerpt"]


class EvidenceSerializer(EvidenceItemSerializer):
    city = CityRefSerializer(read_only=True)

    class Meta(EvidenceItemSerializer.Meta):
        fields = ["id", "city", *EvidenceItemSerializer.Meta.fields[1:]]


class UpdateSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    city = CityRefSerializer()
    action = serializers.CharField(source="action.code")
    principle = serializers.IntegerField(source="action.principle.number")
    status = serializers.ChoiceField(choices=Status.choices)
    points = serializers.SerializerMethodField()
    summary = serializers.CharField()
    happened_on = serializers.DateField()
    approved_at = serializers.DateTimeField(source="reviewed_at")
    evidence = serializers.SerializerMethodField()

    def get_points(self, update) -> int:
        return points_for(update.status)

    @extend_schema_field(serializers.ListField(child=serializers.IntegerField()))
    def get_evidence(self, update):
        return [item.pk for item in update.evidence.all()]


class MayorPledgeSerializer(serializers.ModelSerializer):
    approved_at = serializers.DateTimeField(source="reviewed_at")

    class Meta:
        model = Pledge
        fields = ["id", "status", "date", "source_url", "approved_at"]


class PledgeSerializer(MayorPledgeSerializer):
    mayor = serializers.CharField(source="mayor.name")
    city = CityRefSerializer(source="mayor.city")

    class Meta(MayorPledgeSerializer.Meta):
        fields = ["id", "mayor", "city", *MayorPledgeSerializer.Meta.fields[1:]]


class PrincipleScoreSerializer(serializers.Serializer):
    principle = serializers.IntegerField()
    score = serializers.IntegerField()


class CitySerializer(serializers.Serializer):
    state = serializers.CharField()
    slug = serializers.SlugField()
    name = serializers.CharField()
    population = serializers.IntegerField(allow_null=True)
    latitude = serializers.DecimalField(max_digits=8, decimal_places=5, allow_null=True)
    longitude = serializers.DecimalField(max_digits=8, decimal_places=5, allow_null=True)
    police_department = serializers.CharField()
    mayor = serializers.CharField(source="mayor_name", allow_null=True)
    pledge_status = serializers.SerializerMethodField()
    score = serializers.IntegerField(source="rounded_score")
    score_exact = serializers.FloatField(source="score")
    grade = serializers.ChoiceField(choices=GRADE_CHOICES)
    principle_scores = serializers.SerializerMethodField()
    rated_actions = serializers.IntegerField()
    reversed_actions = serializers.IntegerField(source="flagged_actions")
    last_updated = serializers.DateField(allow_null=True)
    url = serializers.SerializerMethodField()

    @extend_schema_field(serializers.ChoiceField(choices=PLEDGE_FILTER_CHOICES[1:]))
    def get_pledge_status(self, city):
        return city.pledge_status or NOT_ASKED_VALUE

    @extend_schema_field(PrincipleScoreSerializer(many=True))
    def get_principle_scores(self, city):
        return [
            {"principle": number, "score": round(getattr(city, f"principle_{number}_score"))}
            for number in range(1, 8)
            if hasattr(city, f"principle_{number}_score")
        ]

    def get_url(self, city) -> str:
        return self.context["request"].build_absolute_uri(city.get_absolute_url())


class ActionStatusSerializer(serializers.Serializer):
    code = serializers.CharField(source="action.code")
    title = serializers.CharField(source="action.title")
    status = serializers.ChoiceField(choices=Status.choices, allow_null=True)
    points = serializers.IntegerField()
    happened_on = serializers.DateField(source="current.update.happened_on", allow_null=True)
    summary = serializers.CharField(source="current.update.summary", allow_null=True)
    evidence = serializers.SerializerMethodField()

    @extend_schema_field(EvidenceItemSerializer(many=True))
    def get_evidence(self, row):
        evidence = row.current.update.evidence.all() if row.current else []
        return EvidenceItemSerializer(evidence, many=True).data


class PrincipleCardSerializer(serializers.Serializer):
    number = serializers.IntegerField(source="principle.number")
    title = serializers.CharField(source="principle.title")
    score = serializers.IntegerField()
    actions = ActionStatusSerializer(source="rows", many=True)


class MayorSerializer(serializers.Serializer):
    name = serializers.CharField()
    term_start = serializers.DateField()
    term_end = serializers.DateField(allow_null=True)
    pledges = MayorPledgeSerializer(source="record", many=True)


class CityScorecardSerializer(CitySerializer):
    mayors = serializers.SerializerMethodField()
    principles = serializers.SerializerMethodField()

    @extend_schema_field(MayorSerializer(many=True))
    def get_mayors(self, city):
        return MayorSerializer(mayors_with_pledges(city), many=True).data

    @extend_schema_field(PrincipleCardSerializer(many=True))
    def get_principles(self, city):
        cards = principle_cards(city, framework(), current_statuses(city))
        return PrincipleCardSerializer(cards, many=True).data


# --- Filters -----------------------------------------------------------------------------------


class CityFilter(django_filters.FilterSet):
    state = django_filters.ChoiceFilter(choices=STATE_CHOICES)
    pledge_status = django_filters.ChoiceFilter(
        choices=PLEDGE_FILTER_CHOICES[1:], method="filter_pledge_status"
    )
    grade = django_filters.ChoiceFilter(choices=GRADE_CHOICES)

    def filter_pledge_status(self, cities, name, value):
        if value == NOT_ASKED_VALUE:
            return cities.filter(pledge_status__isnull=True)
        return cities.filter(pledge_status=value)


class UpdateFilter(django_filters.FilterSet):
    state = django_filters.ChoiceFilter(field_name="city__state", choices=STATE_CHOICES)
    city = django_filters.CharFilter(field_name="city__slug", help_text="A city's slug.")
    principle = django_filters.NumberFilter(field_name="action__principle__number")
    action = django_filters.CharFilter(field_name="action__code", help_text="For example 1.2.")
    status = django_filters.ChoiceFilter(choices=Status.choices)
    happened_after = django_filters.DateFilter(field_name="happened_on", lookup_expr="gte")
    happened_before = django_filters.DateFilter(field_name="happened_on", lookup_expr="lte")


class EvidenceFilter(django_filters.FilterSet):
    state = django_filters.ChoiceFilter(field_name="city__state", choices=STATE_CHOICES)
    city = django_filters.CharFilter(field_name="city__slug", help_text="A city's slug.")
    kind = django_filters.ChoiceFilter(choices=EvidenceKind.choices)
    principle = django_filters.NumberFilter(
        field_name="updates__action__principle__number", distinct=True
    )
    published_after = django_filters.DateFilter(field_name="published_on", lookup_expr="gte")
    published_before = django_filters.DateFilter(field_name="published_on", lookup_expr="lte")


class PledgeFilter(django_filters.FilterSet):
    state = django_filters.ChoiceFilter(field_name="mayor__city__state", choices=STATE_CHOICES)
    status = django_filters.ChoiceFilter(choices=PledgeStatus.choices)
    date_after = django_filters.DateFilter(field_name="date", lookup_expr="gte")
    date_before = django_filters.DateFilter(field_name="date", lookup_expr="lte")


# --- Views -------------------------------------------------------------------------------------


class CityList(generics.ListAPIView):
    """Every city with its score, grade, principle scores, mayor and pledge status."""

    serializer_class = CitySerializer
    filterset_class = CityFilter

    def get_queryset(self):
        return scorecard_cities().order_by("name", "state")


class CityScorecard(generics.RetrieveAPIView):
    """One city's full scorecard: mayors and pledges, principles, actions, statuses, evidence."""

    serializer_class = CityScorecardSerializer

    def get_object(self):
        return generics.get_object_or_404(
            scorecard_cities(), state=self.kwargs["state"].upper(), slug=self.kwargs["slug"]
        )


class PrincipleViewSet(viewsets.ReadOnlyModelViewSet):
    """The seven principles with their actions and "achieved when" criteria."""

    serializer_class = PrincipleSerializer
    lookup_field = "slug"
    pagination_class = None

    def get_queryset(self):
        return framework()


class UpdateViewSet(viewsets.ReadOnlyModelViewSet):
    """Approved progress updates, newest first."""

    serializer_class = UpdateSerializer
    filterset_class = UpdateFilter

    def get_queryset(self):
        return approved_updates()


class EvidenceViewSet(viewsets.ReadOnlyModelViewSet):
    """Approved evidence, newest first."""

    serializer_class = EvidenceSerializer
    filterset_class = EvidenceFilter

    def get_queryset(self):
        return Evidence.objects.approved().select_related("city").order_by("-published_on", "-id")


class PledgeViewSet(viewsets.ReadOnlyModelViewSet):
    """Approved pledge records of every mayor, newest first."""

    serializer_class = PledgeSerializer
    filterset_class = PledgeFilter

    def get_queryset(self):
        return (
            Pledge.objects.approved()
            .select_related("mayor", "mayor__city")
            .order_by("-date", "-id")
        )


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
