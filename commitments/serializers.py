"""Serializers of the read-only JSON API: the approved record, as every page shows it."""

from django.utils.functional import cached_property
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from commitments.as_of import as_of
from commitments.models import Action, Evidence, Pledge, PledgeStatus, Principle
from commitments.scoring import EXACT_PLACES, Grade, Status, points_for
from commitments.selectors import current_statuses, framework, mayors_with_pledges, principle_cards


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


@extend_schema_field({"type": "string", "maxLength": 500})
class WebAddressField(serializers.CharField):
    """An http(s) address as its source gave it. The schema does not call it a `uri`: the
    record keeps what was entered, which may hold Unicode (an IRI) or characters a URI escapes.
    """


class EvidenceItemSerializer(serializers.ModelSerializer):
    url = WebAddressField()

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
        return [item.pk for item in update.public_evidence]


class MayorPledgeSerializer(serializers.ModelSerializer):
    source_url = WebAddressField(allow_blank=True, help_text="Empty when no source was given.")
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
    """A city's score on one principle, from the stored JSON object (`scores.compute_scores`),
    whose values are already the integers shown: each is read by its key, without DRF's
    per-field lookups and conversions (a list of fifty cities has 350 of these)."""

    principle = serializers.IntegerField(source="number")
    score = serializers.IntegerField(help_text="The principle score, 0-100, rounded half up.")
    points = serializers.IntegerField(
        help_text="Weighted points; the exact principle score is points / weight."
    )
    weight = serializers.IntegerField(help_text="Total weight of the principle's actions.")
    rated_actions = serializers.IntegerField(source="rated")
    total_actions = serializers.IntegerField(source="actions")

    def to_representation(self, score):
        return {name: score[key] for name, key in self._keys}

    @cached_property
    def _keys(self):
        return [(field.field_name, field.source) for field in self._readable_fields]


class CitySerializer(serializers.Serializer):
    state = serializers.CharField()
    slug = serializers.SlugField()
    name = serializers.CharField()
    population = serializers.IntegerField(allow_null=True)
    latitude = serializers.DecimalField(max_digits=8, decimal_places=5, allow_null=True)
    longitude = serializers.DecimalField(max_digits=8, decimal_places=5, allow_null=True)
    police_department = serializers.CharField()
    mayor = serializers.CharField(source="mayor_name", allow_null=True)
    pledge_status = serializers.ChoiceField(choices=PledgeStatus.choices)
    score = serializers.IntegerField(
        help_text="0-100, rounded half up; provisional when the grade is incomplete."
    )
    score_exact = serializers.DecimalField(
        max_digits=5,
        decimal_places=EXACT_PLACES,
        help_text=f"The exact score to {EXACT_PLACES} places, rounded half up.",
    )
    grade = serializers.ChoiceField(
        choices=Grade.choices,
        help_text="A to F, or incomplete when too few actions are rated for a grade.",
    )
    graded = serializers.BooleanField(help_text="False when the score is provisional.")
    rated_actions = serializers.IntegerField(help_text="Actions with an approved status.")
    total_actions = serializers.IntegerField(help_text="Actions a city is rated on.")
    principle_scores = PrincipleScoreSerializer(many=True)
    reversed_actions = serializers.IntegerField()
    last_updated = serializers.DateField(allow_null=True)
    url = serializers.SerializerMethodField()

    def get_url(self, city) -> str:
        return self.context["request"].build_absolute_uri(city.get_absolute_url())


class CityReportSerializer(serializers.Serializer):
    """The city's own latest account of an action: it never changes the score."""

    status = serializers.ChoiceField(choices=Status.choices)
    summary = serializers.CharField()
    happened_on = serializers.DateField()
    evidence_url = WebAddressField()
    submitted_at = serializers.DateTimeField()
    answer = serializers.CharField(help_text="The reviewers' public answer; empty if none.")
    answered_at = serializers.DateTimeField(allow_null=True)


class ActionStatusSerializer(serializers.Serializer):
    code = serializers.CharField(source="action.code")
    title = serializers.CharField(source="action.title")
    status = serializers.ChoiceField(choices=Status.choices, allow_null=True)
    points = serializers.IntegerField()
    happened_on = serializers.DateField(source="current.update.happened_on", allow_null=True)
    summary = serializers.CharField(source="current.update.summary", allow_null=True)
    evidence = serializers.SerializerMethodField()
    city_report = CityReportSerializer(
        source="report", allow_null=True, help_text="What the city reports; null if nothing."
    )
    city_report_differs = serializers.BooleanField(
        source="report_differs", help_text="Whether the city reports another status."
    )

    @extend_schema_field(EvidenceItemSerializer(many=True))
    def get_evidence(self, row):
        evidence = row.current.update.public_evidence if row.current else []
        return EvidenceItemSerializer(evidence, many=True).data


class PrincipleCardSerializer(serializers.Serializer):
    number = serializers.IntegerField(source="principle.number")
    title = serializers.CharField(source="principle.title")
    score = serializers.IntegerField(source="score.score")
    actions = ActionStatusSerializer(source="rows", many=True)


class MayorSerializer(serializers.Serializer):
    name = serializers.CharField()
    term_start = serializers.DateField()
    term_end = serializers.DateField(allow_null=True)
    pledges = MayorPledgeSerializer(source="record", many=True)


class CityScorecardSerializer(CitySerializer):
    verified_official = serializers.BooleanField(
        help_text="Whether staff have verified an official who reports the city's own account."
    )
    mayors = serializers.SerializerMethodField()
    principles = serializers.SerializerMethodField()

    @extend_schema_field(MayorSerializer(many=True))
    def get_mayors(self, city):
        day = as_of(self.context["request"])
        return MayorSerializer(mayors_with_pledges(city, day), many=True).data

    @extend_schema_field(PrincipleCardSerializer(many=True))
    def get_principles(self, city):
        day = as_of(self.context["request"])
        cards = principle_cards(city, framework(), current_statuses(city, day), day)
        return PrincipleCardSerializer(cards, many=True).data
