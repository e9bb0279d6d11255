"""Reads that pages share: headline figures, current statuses, pledge records, workspaces.

Every score comes from `City.objects.with_scores()` (`commitments.scores`).
"""

from collections import Counter
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from fractions import Fraction
from itertools import groupby

from django.db.models import Count, OuterRef, Prefetch, Subquery
from django.db.models.functions import Coalesce
from django.utils.formats import number_format

from cities.models import City, Mayor
from commitments.filters import reads_figures
from commitments.models import (
    Action,
    CityReport,
    CurrentStatus,
    Evidence,
    Pledge,
    PledgeStatus,
    Principle,
    ProgressUpdate,
    RatingPeriod,
    ratings,
    start_of_day_after,
)
from commitments.scores import (
    PagedByKeys,
    ScoredByPage,
    cities_signed_on,
    people_as_of,
    pledge_record,
    scored_cities,
)
from commitments.scoring import (
    FLAGGED,
    STALE_AFTER_DAYS,
    Grade,
    points_for,
    rounded,
    score_share,
)


def approved_evidence_prefetch(lookup="update__evidence", day=None):
    """Approved evidence, or evidence approved by the end of `day`, newest first: as each
    update's `public_evidence`, a list (a manager per update, as `update.evidence.all()` makes,
    cost the hundreds of updates a page shows more than reading their evidence)."""
    evidence = Evidence.objects.approved() if day is None else Evidence.objects.approved_by(day)
    evidence = evidence.order_by("-published_on", "-id")
    return Prefetch(lookup, queryset=evidence, to_attr="public_evidence")


def listed_cities(query, day=None):
    """The cities a list filters and orders for `query`: with every city's figures (today's
    are stored), or, as of a past day with no figure asked for, with only their mayor and
    pledge then, the page to be scored afterwards (`pageable`)."""
    if day is None or reads_figures(query):
        return scored_cities(day)
    return people_as_of(day)


def pageable(cities, day):
    """What a list of `listed_cities` pages, reading only the page shown in full:
    `scores.PagedByKeys` when they carry their figures, else `scores.ScoredByPage`, which also
    scores only that page."""
    if "score" in cities.query.annotations:
        return PagedByKeys(cities)
    return ScoredByPage(cities, day)


def approved_evidence(day=None):
    """The public evidence: approved items (by the end of `day`) with their city, newest first."""
    evidence = Evidence.objects.approved() if day is None else Evidence.objects.approved_by(day)
    return evidence.select_related("city").order_by("-published_on", "-id")


def current_statuses(city, day=None):
    """{action id: CurrentStatus} for a city, with the update and its approved evidence; as of
    the end of `day`, the rating periods that covered it (which have the same fields)."""
    statuses = ratings(day).filter(city=city).select_related("update")
    statuses = statuses.prefetch_related(approved_evidence_prefetch(day=day))
    return {status.action_id: status for status in statuses}


def approved_updates(day=None):
    """The public log: approved updates with city, action and approved evidence, the latest to
    happen first (`UpdateFilter` orders the log's pages as asked); as of the end of `day`,
    those that had happened and been approved by then."""
    updates = ProgressUpdate.objects.approved()
    if day is not None:
        updates = updates.approved_by(day).filter(happened_on__lte=day)
    return (
        updates.select_related("city", "action", "action__principle")
        .prefetch_related(approved_evidence_prefetch("evidence", day))
        .order_by(*ProgressUpdate.LATEST_FIRST)
    )


MINUS = "\u2212"  # the minus sign, not a hyphen


@dataclass(frozen=True)
class RatingChange:
    """What an approved update did to its city's rating when it was approved: the status it
    replaced (None: no information) and the change in the city's exact score, in points. An
    update approved after a later step on the same action never became current (`current`
    False) and changed nothing."""

    current: bool
    status_before: str | None = None
    score_change: Fraction = Fraction(0)

    @property
    def signed_points(self):
        """The score change to one decimal place, rounded half up, with its sign: "+3.6"."""
        tenths = rounded(abs(self.score_change) * 10)
        sign = "+" if self.score_change > 0 else MINUS if self.score_change < 0 else ""
        return sign + number_format(Decimal(tenths).scaleb(-1), decimal_pos=1)


def with_rating_changes(updates):
    """A page of approved updates (with their action and principle), each given its
    `rating_change`, in one query: the rating periods they opened (`RatingPeriod`), each with
    the status of the period it ended (the one whose end is its start)."""
    closed = (
        RatingPeriod.objects.filter(
            city=OuterRef("city"), action=OuterRef("action"), public_until=OuterRef("public_from")
        )
        .exclude(pk=OuterRef("pk"))  # a period that ended as it began is not its own predecessor
        .order_by("-public_from", "-pk")
        .values("status")[:1]
    )
    opened = RatingPeriod.objects.filter(update__in=updates).annotate(before=Subquery(closed))
    before = dict(opened.values_list("update", "before"))
    for update in updates:
        if update.pk not in before:
            update.rating_change = RatingChange(current=False)
            continue
        action, principle = update.action, update.action.principle
        old, new = (points_for(status) for status in (before[update.pk], update.status))
        change = score_share(new, action, principle) - score_share(old, action, principle)
        update.rating_change = RatingChange(True, before[update.pk], change)
    return updates


# What the home page's figures need of each scored city, beside its grade.
HOME_FIGURE_FIELDS = ["score_numerator", "score_denominator", "achieved_actions"]


def home_figures(cities, day=None):
    """The home page's headline figures from every scored city (dicts of `grade` and
    HOME_FIGURE_FIELDS, as of the end of `day`), and the sitting mayors whose latest approved
    pledge record is a signature (as of `day`, the cities whose record then is one), in one query.

    The average is the mean of the cities' exact scores (fractions), rounded half up."""
    cities = [city for city in cities if city["grade"] is not None]  # all scored, once stored
    grades, numerators = Counter(), Counter()  # numerators summed by denominator
    for city in cities:
        grades[city["grade"]] += 1
        numerators[city["score_denominator"]] += city["score_numerator"]
    exact_sum = sum(Fraction(total, denominator) for denominator, total in numerators.items())
    figures = {
        "cities_tracked": len(cities),
        "average_score": rounded(exact_sum / len(cities)) if cities else None,
        "actions_achieved": sum(city["achieved_actions"] for city in cities),
        "grades": [(grade, grades[grade]) for grade in Grade.values],
    }
    if day is not None:
        return {**figures, "mayors_signed": cities_signed_on(day)}
    latest = pledge_record().filter(mayor=OuterRef("pk")).values("status")[:1]
    sitting = Mayor.objects.sitting().annotate(status=Subquery(latest))
    signed = sitting.filter(status=PledgeStatus.SIGNED)
    return {**figures, "mayors_signed": signed.count()}


@dataclass
class ActionRow:
    action: Action
    current: CurrentStatus | None
    report: CityReport | None = None  # the city's own latest account, which never scores

    @property
    def status(self):
        return self.current.update.status if self.current else None

    @property
    def report_differs(self):
        return report_differs(self.report, self.status)

    @property
    def points(self):
        return points_for(self.status)


@dataclass
class PrincipleCard:
    principle: Principle
    score: dict
    rows: list[ActionRow]


def report_differs(report, status):
    """Whether the city reports (`report`, or None) another status than the independent
    rating's `status`."""
    return report is not None and report.status != status


def submitted_reports(day=None):
    """The cities' reports, or those submitted by the end of `day`."""
    reports = CityReport.objects.all()
    return reports if day is None else reports.filter(submitted_at__lt=start_of_day_after(day))


def as_it_stood(report, day=None):
    """The report as the public read it at the end of `day`: a reviewer's answer given after
    it withheld (the report stays append-only: only this copy loses it)."""
    answered = report.answered_at
    if day is not None and answered is not None and answered >= start_of_day_after(day):
        report.answer, report.answered_at, report.answered_by = "", None, None
    return report


def latest_city_reports(cities, day=None):
    """{(city id, action id): the city's latest report on the action}, as the reports stood at
    the end of `day`, in one query."""
    reports = submitted_reports(day).filter(city__in=cities).order_by(*CityReport.LATEST_FIRST)
    latest = {}
    for report in reports:
        latest.setdefault((report.city_id, report.action_id), as_it_stood(report, day))
    return latest


def latest_reports(city, day=None):
    """{action id: the city's latest report on it} (as of the end of `day`), in one query."""
    reports = latest_city_reports([city], day)
    return {action_id: report for (_city, action_id), report in reports.items()}


def principle_cards(scored_city, principles, statuses, day=None):
    """The principles of a scored city, each with its score and its actions' statuses, and
    the city's own reports (as of the end of `day`)."""
    scores = {score["number"]: score for score in scored_city.principle_scores}
    reports = latest_reports(scored_city, day)
    return [
        PrincipleCard(
            principle=principle,
            score=scores[principle.number],
            rows=[
                ActionRow(action, statuses.get(action.pk), reports.get(action.pk))
                for action in principle.actions.all()
            ],
        )
        for principle in principles
    ]


def framework_size():
    """How many actions a city is rated on."""
    return Action.objects.count()


def framework_last_changed():
    """When a principle or action (a weight, say) last changed, from their admin history."""
    principles, actions = (
        model.history.order_by().values_list("history_date", flat=True)
        for model in (Principle, Action)
    )
    dates = principles.union(actions)
    return dates.order_by("-history_date").first()


def framework():
    """The principles with their actions, in order."""
    return Principle.objects.prefetch_related(
        Prefetch("actions", queryset=Action.objects.order_by("position"))
    )


def mayors_with_pledges(city, day=None):
    """A city's mayors, newest first, each with their approved pledge record and `in_office`;
    as of the end of `day`, those who had taken office, with the record approved by then."""
    mayors, record = city.mayors.order_by("-term_start"), pledge_record(day)
    if day is not None:
        mayors = mayors.filter(term_start__lte=day)
    mayors = list(mayors.prefetch_related(Prefetch("pledges", queryset=record, to_attr="record")))
    for mayor in mayors:
        mayor.in_office = mayor.is_sitting if day is None else mayor.serving_on(day)
    return mayors


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
        City.objects.with_scores()
        .filter(pk__in=City.objects.assigned_to(user).values("pk"))
        .annotate(
            pending_updates=pending_count(ProgressUpdate, "city"),
            pending_pledges=pending_count(Pledge, "mayor__city"),
        )
        .order_by("name", "state")
    )
    cutoff = today - timedelta(days=STALE_AFTER_DAYS)
    fresh = set(
        CurrentStatus.objects.filter(city__in=cities, happened_on__gte=cutoff).values_list(
            "city_id", "action_id"
        )
    )
    actions = list(Action.objects.all())
    for city in cities:
        city.stale_actions = [action for action in actions if (city.pk, action.pk) not in fresh]
    return cities


@dataclass
class WorkspaceRow:
    """One action of an advocate's city: its public status and evidence, the proposals that
    wait for review (`mine`: the advocate's own, if one waits) and whether it is stale."""

    action: Action
    current: CurrentStatus | None
    pending: list[ProgressUpdate]
    mine: ProgressUpdate | None
    stale: bool

    @property
    def status(self):
        return self.current.update.status if self.current else None

    @property
    def reversed(self):
        return self.status in FLAGGED


# What the workspace can show: each a test of a row, kept in the URL as ?show=.
WORKSPACE_VIEWS = {
    "unrated": lambda row: row.current is None,
    "stale": lambda row: row.stale,
    "pending": lambda row: bool(row.pending),
    "reversed": lambda row: row.reversed,
}


def workspace_rows(city, user, today, actions=None):
    """Each action (in framework order) with the city's current status and its evidence, the
    proposals still waiting for review, and whether it is stale: rated, but on something that
    happened more than STALE_AFTER_DAYS ago."""
    if actions is None:
        actions = Action.objects.select_related("principle").order_by(*Action._meta.ordering)
    statuses = current_statuses(city)
    pending = {}
    waiting = ProgressUpdate.objects.pending().filter(city=city).select_related("submitted_by")
    for update in waiting.order_by("submitted_at"):
        pending.setdefault(update.action_id, []).append(update)
    cutoff = today - timedelta(days=STALE_AFTER_DAYS)
    rows = []
    for action in actions:
        current, waiting = statuses.get(action.pk), pending.get(action.pk, [])
        mine = next((update for update in waiting if update.submitted_by_id == user.pk), None)
        stale = current is not None and current.update.happened_on < cutoff
        rows.append(WorkspaceRow(action, current, waiting, mine, stale))
    return rows


def by_principle(rows):
    """[(principle, its rows)] in framework order, for rows in framework order."""
    return [
        (principle, list(group))
        for principle, group in groupby(rows, key=lambda row: row.action.principle)
    ]


def submissions_by(user, outcome=""):
    """Everything a user submitted (or what review made `outcome`), newest first, with the
    review outcome; each update with its evidence."""
    chosen = {"submitted_by": user, **({"review_state": outcome} if outcome else {})}
    return {
        "updates": ProgressUpdate.objects.filter(**chosen)
        .select_related("city", "action", "reviewed_by")
        .prefetch_related(Prefetch("evidence", queryset=Evidence.objects.order_by("-published_on")))
        .order_by("-submitted_at"),
        "evidence": Evidence.objects.filter(**chosen)
        .select_related("city", "reviewed_by")
        .order_by("-submitted_at"),
        "pledges": Pledge.objects.filter(**chosen)
        .select_related("mayor", "mayor__city", "reviewed_by")
        .order_by("-submitted_at"),
    }
