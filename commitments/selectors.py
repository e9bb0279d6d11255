"""Reads that pages share: scores computed in SQL, current statuses and pledge records."""

from dataclasses import dataclass
from datetime import timedelta

from django.db.models import (
    Case,
    CharField,
    Count,
    F,
    FloatField,
    IntegerField,
    Max,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce, Floor

from cities.models import City, Mayor
from commitments.models import (
    Action,
    CurrentStatus,
    Evidence,
    Pledge,
    Principle,
    ProgressUpdate,
)
from commitments.scoring import (
    FLAGGED,
    GRADES,
    POINTS,
    STALE_AFTER_DAYS,
    points_for,
    round_score,
)


def principle_weights():
    """{principle number: total weight of its actions}, for principles that have actions."""
    return dict(
        Principle.objects.annotate(total=Sum("actions__weight"))
        .filter(total__gt=0)
        .values_list("number", "total")
    )


def _points(status_field):
    return Case(
        *[When(**{status_field: status}, then=Value(points)) for status, points in POINTS.items()],
        default=Value(0),
        output_field=IntegerField(),
    )


def grade_expression(score_field):
    return Case(
        *[When(**{f"{score_field}__gte": minimum}, then=Value(grade)) for grade, minimum in GRADES],
        output_field=CharField(),
    )


def cities_with_scores(cities=None):
    """Cities annotated with every score, in one query whatever their number.

    Adds `principle_N_score` (0–100, a float) per principle, `score` (the mean of the principle
    scores), `rounded_score`, `grade`, `rated_actions`, `flagged_actions` and `last_updated`.
    An action with no approved update counts as No information: 0 points.
    """
    cities = City.objects.all() if cities is None else cities
    weights = principle_weights()
    weighted_points = _points("current_statuses__update__status") * F(
        "current_statuses__action__weight"
    )
    principle_scores = {
        f"principle_{number}_score": Cast(
            Coalesce(
                Sum(weighted_points, filter=Q(current_statuses__action__principle__number=number)),
                0,
            ),
            FloatField(),
        )
        / Value(float(total))
        for number, total in weights.items()
    }
    mean = (
        sum((F(name) for name in principle_scores), Value(0.0)) / Value(float(len(weights)))
        if weights
        else Value(0.0)
    )
    return (
        cities.annotate(
            **principle_scores,
            rated_actions=Count("current_statuses"),
            flagged_actions=Count(
                "current_statuses", filter=Q(current_statuses__update__status__in=FLAGGED)
            ),
            last_updated=Max("current_statuses__update__happened_on"),
        )
        .annotate(score=Cast(mean, FloatField()))
        .annotate(rounded_score=Cast(Floor(F("score") + 0.5), IntegerField()))
        .annotate(grade=grade_expression("rounded_score"))
    )


def principle_scores(city, principles):
    """A scored city's rounded score on each principle, in the order given."""
    return [
        round_score(getattr(city, f"principle_{principle.number}_score", 0.0))
        for principle in principles
    ]


def sitting_mayor_name():
    return Subquery(Mayor.objects.sitting().filter(city=OuterRef("pk")).values("name")[:1])


def sitting_pledge_status():
    """The status of the sitting mayor's latest approved pledge record, per city."""
    return Subquery(
        Pledge.objects.approved()
        .filter(mayor__city=OuterRef("pk"), mayor__term_end__isnull=True)
        .order_by("-date", "-id")
        .values("status")[:1]
    )


def approved_evidence_prefetch(lookup="update__evidence"):
    return Prefetch(lookup, queryset=Evidence.objects.approved().order_by("-published_on", "-id"))


def current_statuses(city):
    """{action id: CurrentStatus} for a city, with the update and its approved evidence."""
    statuses = (
        CurrentStatus.objects.filter(city=city)
        .select_related("update")
        .prefetch_related(approved_evidence_prefetch())
    )
    return {status.action_id: status for status in statuses}


def approved_updates():
    """The public log: approved updates with city, action and approved evidence, newest first."""
    return (
        ProgressUpdate.objects.approved()
        .select_related("city", "action", "action__principle")
        .prefetch_related(approved_evidence_prefetch("evidence"))
        .order_by("-happened_on", "-id")
    )


def scorecard_cities():
    """Every city with its scores, sitting mayor and pledge status: the public scorecard rows."""
    return cities_with_scores(
        City.objects.annotate(
            mayor_name=sitting_mayor_name(), pledge_status=sitting_pledge_status()
        )
    )


@dataclass
class ActionRow:
    action: Action
    current: CurrentStatus | None

    @property
    def status(self):
        return self.current.update.status if self.current else None

    @property
    def points(self):
        return points_for(self.status)


@dataclass
class PrincipleCard:
    principle: Principle
    score: int
    rows: list[ActionRow]


def principle_cards(scored_city, principles, statuses):
    """The seven principles of a scored city, each with its score and its actions' statuses."""
    return [
        PrincipleCard(
            principle=principle,
            score=round_score(getattr(scored_city, f"principle_{principle.number}_score", 0.0)),
            rows=[ActionRow(action, statuses.get(action.pk)) for action in principle.actions.all()],
        )
        for principle in principles
    ]


def framework():
    """The principles with their actions, in order."""
    return Principle.objects.prefetch_related(
        Prefetch("actions", queryset=Action.objects.order_by("position"))
    )


def mayors_with_pledges(city):
    """A city's mayors, newest first, each with their approved pledge record."""
    return city.mayors.order_by("-term_start").prefetch_related(
        Prefetch(
            "pledges", queryset=Pledge.objects.approved().order_by("-date", "-id"), to_attr="record"
        )
    )


def pending_count(model, city_field):
    """How many of a city's submissions of one kind wait for review, as a subquery."""
    pending = (
        model.objects.pending()
        .filter(**{city_field: OuterRef("pk")})
        .values(city_field)
        .annotate(count=Count("pk"))
        .values("count")
    )
    return Coalesce(Subquery(pending), 0)


def advocate_cities(user, today):
    """The cities a user may act on, scored, with pending counts and their stale actions.

    An action is stale when the city has no approved update on it that happened in the last
    STALE_AFTER_DAYS days, or none at all.
    """
    cities = list(
        scorecard_cities()
        .filter(pk__in=City.objects.assigned_to(user).values("pk"))
        .annotate(
            pending_updates=pending_count(ProgressUpdate, "city"),
            pending_pledges=pending_count(Pledge, "mayor__city"),
        )
        .order_by("name", "state")
    )
    cutoff = today - timedelta(days=STALE_AFTER_DAYS)
    fresh = set(
        CurrentStatus.objects.filter(city__in=cities, update__happened_on__gte=cutoff).values_list(
            "city_id", "action_id"
        )
    )
    actions = list(Action.objects.all())
    for city in cities:
        city.stale_actions = [action for action in actions if (city.pk, action.pk) not in fresh]
    return cities


@dataclass
class WorkspaceRow:
    action: Action
    current: CurrentStatus | None
    pending: list[ProgressUpdate]

    @property
    def status(self):
        return self.current.update.status if self.current else None


def workspace_rows(city, actions=None):
    """Each action with the city's current status and any proposals still waiting for review."""
    actions = Action.objects.select_related("principle") if actions is None else actions
    statuses = current_statuses(city)
    pending = {}
    for update in ProgressUpdate.objects.pending().filter(city=city).order_by("submitted_at"):
        pending.setdefault(update.action_id, []).append(update)
    return [
        WorkspaceRow(action, statuses.get(action.pk), pending.get(action.pk, []))
        for action in actions
    ]


def submissions_by(user):
    """Everything a user submitted, newest first, with the review outcome."""
    return {
        "updates": ProgressUpdate.objects.filter(submitted_by=user)
        .select_related("city", "action", "reviewed_by")
        .order_by("-submitted_at"),
        "evidence": Evidence.objects.filter(submitted_by=user)
        .select_related("city", "reviewed_by")
        .order_by("-submitted_at"),
        "pledges": Pledge.objects.filter(submitted_by=user)
        .select_related("mayor", "mayor__city", "reviewed_by")
        .order_by("-submitted_at"),
    }
