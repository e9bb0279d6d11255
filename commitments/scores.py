"""The scored queryset: every figure any surface shows about a city, computed exactly in SQL.

`compute_scores(cities)` computes, in one query, and `City.objects.with_scores()` reads as last
computed (stored per city in `CityScore` by the write services), without running any query
while it is built:

- `principle_scores`: one entry per principle, in order, each a dict with `number`, `score`
  (rounded half up), `points` and `weight` (the exact score is points / weight), `rated` and
  `actions` (how many of the principle's actions are rated, of how many);
- `score` (the city score rounded half up), `score_exact` (a Decimal with EXACT_PLACES places),
  `grade` (a `Grade`, "incomplete" below the coverage threshold), `graded`;
- `rated_actions`, `total_actions`, `reversed_actions`, `last_updated`;
- `mayor_name` and `pledge_status` (a `PledgeStatus`, NOT_ASKED without an approved record).

A principle score is points / weight: the sum of its actions' points times their weights, over
the sum of their weights. The city score is the mean of the principle scores; over the common
denominator n·∏weight (stored on each principle with its multiplier, see
`scoring.framework_totals`) it is a fraction of integers, so rounding it is exact.
"""

from datetime import timedelta
from decimal import Decimal
from types import SimpleNamespace

from django.db.models import (
    BooleanField,
    Case,
    CharField,
    Count,
    DecimalField,
    F,
    FilteredRelation,
    Func,
    IntegerField,
    Max,
    Min,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
    Window,
)
from django.db.models.fields.json import KT
from django.db.models.functions import (
    Cast,
    Coalesce,
    FirstValue,
    JSONArray,
    JSONObject,
    NullIf,
    Rank,
    RowNumber,
)
from django.db.models.lookups import GreaterThanOrEqual, LessThan

from cities.models import City, Mayor, serving_during
from commitments.models import (
    BEFORE_THE_RECORD,
    CityScore,
    Covers,
    Pledge,
    PledgeStatus,
    Principle,
    ProgressUpdate,
    RatingPeriod,
    ScoreFigures,
    ScorePeriod,
    ScorePeriodsBuilt,
    rated_at,
    rated_just_after,
    start_of_day_after,
)
from commitments.scoring import (
    COVERAGE_THRESHOLD,
    EXACT_PLACES,
    FLAGGED,
    GRADES,
    PRINCIPLE_NUMBERS,
    Grade,
    Status,
    points_expression,
    round_half_up,
)

ONE_HUNDREDTH = Decimal(1).scaleb(-EXACT_PLACES)


class ExactScoreField(DecimalField):
    """A score from 0 to 100 with EXACT_PLACES places, as every database returns it.

    SQLite gives computed decimals as floats with 15 significant digits (56.8500000000000);
    quantizing to the stated places on read makes both databases give Decimal("56.85").
    """

    def __init__(self):
        super().__init__(max_digits=3 + EXACT_PLACES, decimal_places=EXACT_PLACES)

    def from_db_value(self, value, expression, connection):
        return None if value is None else Decimal(value).quantize(ONE_HUNDREDTH)


# Today a city is scored on its current statuses; as of a past day, on the rating periods that
# covered it (`computed_at`, which computes what `ScorePeriod` stores). Either relation's rows
# have a status, an action and a date.
CURRENT = "current_statuses"


def principle_points(number, rated=CURRENT):
    """SQL aggregate: a city's weighted points on one principle (0 with none rated)."""
    weighted = points_expression(f"{rated}__status") * F(f"{rated}__action__weight")
    on_principle = Q(**{f"{rated}__action__principle__number": number})
    return Coalesce(Sum(weighted, filter=on_principle), 0)


def _principle_score(principle, rated):
    number = principle.number
    points, weight = principle_points(number, rated), Value(principle.weight_total)
    return JSONObject(
        number=Value(number),
        score=round_half_up(points, weight),
        points=points,
        weight=weight,
        rated=Count(rated, filter=Q(**{f"{rated}__action__principle__number": number})),
        actions=Value(principle.action_count),
    )


def _city_points(principles, rated):
    """SQL: (numerator, denominator) of the city score, the mean of the principle scores."""
    multiplier = F(f"{rated}__action__weight") * F(f"{rated}__action__principle__score_multiplier")
    numerator = Coalesce(Sum(points_expression(f"{rated}__status") * multiplier), 0)
    denominator = principles[0].score_denominator if principles else 1
    return numerator, Value(denominator)


def _grade():
    needed = COVERAGE_THRESHOLD
    below_threshold = LessThan(
        F("rated_actions") * Value(needed.denominator),
        F("total_actions") * Value(needed.numerator),
    )
    return Case(
        When(below_threshold, then=Value(Grade.INCOMPLETE)),
        *[
            When(GreaterThanOrEqual(F("score"), minimum), then=Value(grade))
            for grade, minimum in GRADES
        ],
        output_field=CharField(),
    )


def sitting_mayor_name():
    return Subquery(_sitting_mayor("pk").values("name")[:1])


def _sitting_mayor(city):
    """The city's sitting mayor (one at most, a constraint says), `city` naming the outer
    query's city id; unordered, or Mayor's default order would join the city again to sort."""
    return Mayor.objects.sitting().filter(city=OuterRef(city)).order_by()


def pledge_record(day=None):
    """Approved pledge records, latest first: a mayor's first one is their pledge status. As
    of the end of `day`: those dated and approved by then."""
    if day is None:
        return Pledge.objects.approved().order_by("-date", "-id")
    return Pledge.objects.approved_by(day).filter(date__lte=day).order_by("-date", "-id")


class PerCity(Coalesce):
    """COALESCE(a subquery about the city, default), left out of GROUP BY like a bare subquery:
    beside the scoring aggregates it is computed once per city, not once per rating joined."""

    def get_group_by_cols(self):
        return self.source_expressions[0].get_group_by_cols()


def pledge_status_of(records):
    """SQL: the status of the city's first pledge record in `records`; NOT_ASKED without one."""
    return PerCity(Subquery(records.values("status")[:1]), Value(PledgeStatus.NOT_ASKED))


def sitting_pledge_status():
    """The status of the sitting mayor's latest approved pledge record; NOT_ASKED without one.
    Found by the mayor's id: the first entry of an index (`approved_pledges_latest_first`)."""
    mayor = Subquery(_sitting_mayor(OuterRef("pk")).values("pk")[:1])
    return pledge_status_of(pledge_record().filter(mayor=mayor))


STORED = [field.name for field in CityScore._meta.concrete_fields if field.name != "city"]
# What a ScorePeriod keeps: the figures, without the log's length.
FIGURES = [field.name for field in ScoreFigures._meta.fields]


def stored_scores(cities):
    """The body of `City.objects.with_scores()`: the stored scores, the mayor and the pledge."""
    return cities.annotate(
        **{name: F(f"stored_score__{name}") for name in STORED},
        mayor_name=sitting_mayor_name(),
        pledge_status=sitting_pledge_status(),
    )


def framework_constants():
    """Each principle's number and exact-score constants, in order: what scoring depends on."""
    fields = ["number", "weight_total", "action_count", "score_denominator"]
    rows = Principle.objects.filter(number__in=PRINCIPLE_NUMBERS).order_by("number")
    return tuple(rows.values_list(*fields))


def compute_scores(cities, constants, rated=CURRENT):
    """Every stored figure, computed from the cities' `rated` rows (their current statuses, or
    the ratings of a past day: see `scored_as_of`), with the framework's `constants` written
    into the SQL as values."""
    principles = [SimpleNamespace(number=number, weight_total=weight, action_count=actions,
                                  score_denominator=denominator)
                  for number, weight, actions, denominator in constants]  # fmt: skip
    numerator, denominator = _city_points(principles, rated)
    hundredths = round_half_up(numerator, denominator, scale=10**EXACT_PLACES)
    return (
        cities.annotate(
            score_numerator=numerator,
            score_denominator=denominator,
            principle_scores=JSONArray(
                *[_principle_score(principle, rated) for principle in principles]
            ),
            score=round_half_up(F("score_numerator"), F("score_denominator")),
            score_exact=Cast(hundredths * Value(ONE_HUNDREDTH), ExactScoreField()),
            rated_actions=Count(rated),
            total_actions=Value(sum(principle.action_count for principle in principles)),
            achieved_actions=Count(rated, filter=Q(**{f"{rated}__status": Status.ACHIEVED})),
            reversed_actions=Count(rated, filter=Q(**{f"{rated}__status__in": FLAGGED})),
            last_updated=Max(f"{rated}__happened_on"),
        )
        .annotate(grade=_grade())
        .annotate(
            graded=Case(
                When(grade=Grade.INCOMPLETE, then=Value(False)),
                default=Value(True),
                output_field=BooleanField(),
            )
        )
    )


def stored_figures(cities, constants):
    """Every figure a `CityScore` stores, computed: the scores (`compute_scores`) and the
    length of the city's public log, which the updates log counts itself from."""
    updates = ProgressUpdate.objects.approved().filter(city=OuterRef("pk")).order_by()
    counted = updates.values("city").annotate(length=Count("pk")).values("length")
    length = Coalesce(Subquery(counted, output_field=IntegerField()), 0)
    return compute_scores(cities, constants).annotate(log_length=length)


def ranked_on_principle(cities, number):
    """Scored cities ranked on one principle, best first; ties share a rank (1, 1, 1, 4).

    Reads the stored score from `with_scores()`: `principle_scores` lists the principles in
    the order of PRINCIPLE_NUMBERS.
    """
    stored = KT(f"principle_scores__{PRINCIPLE_NUMBERS.index(number)}__score")
    score = Cast(stored, IntegerField())
    return (
        cities.annotate(principle_score=score)
        .annotate(rank=Window(Rank(), order_by=F("principle_score").desc()))
        .order_by("rank", "name", "state")
    )


def ranked(cities):
    """Scored cities ranked on their score, graded cities first; ties share a rank."""
    order = [F("graded").desc(), F("score").desc()]
    return cities.annotate(rank=Window(Rank(), order_by=order)).order_by(*order, "name", "state")


def principle_averages(day=None):
    """The principles, each with `average`: the mean of every city's exact score on it, from the
    points the cities' stored scores keep (as of the end of `day`, those stored then)."""
    points = _stored_principle_points() if day is None else _principle_points_on(day)
    cities = City.objects.order_by().annotate(total=Func(F("pk"), function="COUNT"))
    return Principle.objects.annotate(
        average=round_half_up(
            Coalesce(points, 0),
            NullIf(Subquery(cities.values("total"), output_field=IntegerField()), 0)
            * F("weight_total"),
        )
    )


def _principle_points_on(day):
    """SQL for a principle: every city's points on it at the end of `day`, summed first, in one
    query, from each city's figures then."""
    cities = scored_at(start_of_day_after(day), City.objects.order_by())
    summed = cities.aggregate(
        **{str(index): Sum(_points(index)) for index in range(len(PRINCIPLE_NUMBERS))}
    )
    return _per_principle(lambda index: Value(summed[str(index)]))


def _stored_principle_points():
    """SQL for a principle: every city's points on it, summed from `principle_scores`."""
    return _per_principle(_stored_points_summed)


def _per_principle(value):
    """SQL for a principle: `value(index)`, `index` its place in `principle_scores`."""
    return Case(
        *[When(number=number, then=value(index)) for index, number in enumerate(PRINCIPLE_NUMBERS)],
        output_field=IntegerField(),
    )


def _points(index):
    """A city's points on the principle at `index` of its `principle_scores`."""
    return Cast(KT(f"principle_scores__{index}__points"), IntegerField())


def _stored_points_summed(index):
    total = CityScore.objects.order_by().annotate(total=Func(_points(index), function="SUM"))
    return Subquery(total.values("total"), output_field=IntegerField())


def scored_cities(day=None):
    """Every city with its figures: today's (`City.objects.with_scores()`), or as of `day`."""
    return City.objects.with_scores() if day is None else scored_as_of(day)


def scored_as_of(day, cities=None, few=False):
    """`City.objects.with_scores()` as the record stood at the end of `day`: the same figures,
    as the same query computed them from that day's ratings (`scored_at`, `few` as there), with
    the mayor then in office and their pledge status as approved by then."""
    cities = City.objects.all() if cities is None else cities
    return scored_at(start_of_day_after(day), cities, few).annotate(**_people_on(day))


def people_as_of(day):
    """The cities with only their mayor and pledge status at the end of `day` (no figures):
    what a list of cities as of that day filters and orders when no figure is asked for, its
    page then scored by `ScoredByPage` (`selectors.listed_cities`)."""
    return City.objects.annotate(**_people_on(day))


def _people_on(day):
    serving = Mayor.objects.serving_during(day, day + timedelta(days=1))
    serving = serving.filter(city=OuterRef("pk"))
    pledged = _serving_mayors_records(day).filter(mayor__city=OuterRef("pk"))
    return {
        "mayor_name": Subquery(serving.order_by("-term_start").values("name")[:1]),
        "pledge_status": pledge_status_of(pledged),
    }


def _serving_mayors_records(day):
    """The pledge records as of the end of `day` of the mayors serving then, latest first."""
    return pledge_record(day).filter(serving_during(day, day + timedelta(days=1), mayor="mayor__"))


def cities_signed_on(day):
    """How many cities' pledge status at the end of `day` (`people_as_of`'s) is SIGNED: their
    latest record then is a signature. One pass over the records, ranked within each city,
    rather than a subquery for each of the cities (1.0 ms of SQL at 1,500 cities against 3.2)."""
    in_the_city = {"partition_by": F("mayor__city"), "order_by": [F("date").desc(), F("id").desc()]}
    records = _serving_mayors_records(day).annotate(
        place=Window(RowNumber(), **in_the_city),
        # A window too, so that the condition applies after the ranking, not before it.
        latest_status=Window(FirstValue("status"), **in_the_city),
    )
    return records.filter(place=1, latest_status=PledgeStatus.SIGNED).count()


class PagedByKeys:
    """Cities with their figures, mayor and pledge, for a paginator that finds a page's cities
    by the list's filter and order alone, then reads only those with the rest, in one query.
    A plain slice would look up the mayor and pledge of every city its offset skips (page 25
    of the scorecard: 625 cities, 7.1 ms of SQL against 1.0)."""

    def __init__(self, cities):
        self.cities = cities

    def count(self):
        return self.cities.count()

    def __getitem__(self, page):  # a slice, as Paginator asks
        return self.cities.filter(pk__in=self.cities.values("pk")[page])


class ScoredByPage:
    """Cities as of `day`, filtered and ordered without their figures (`people_as_of`), for a
    paginator: it counts them plainly and scores only the slice it shows, so a page of the
    list as of a past day aggregates its own cities' ratings rather than every city's twice
    (to count them, then to order them)."""

    def __init__(self, cities, day):
        self.cities, self.day = cities, day

    def count(self):
        return self.cities.count()

    def __getitem__(self, page):  # a slice, as Paginator asks
        pks = list(self.cities.values_list("pk", flat=True)[page])
        scored = scored_as_of(self.day, City.objects.filter(pk__in=pks), few=True)
        by_pk = {city.pk: city for city in scored}
        return [by_pk[pk] for pk in pks if pk in by_pk]  # a city deleted in between: gone


def scored_at(moment, cities, few=False):
    """The cities' scores and grades from the ratings in force at `moment` (the figures only:
    no mayor or pledge): read from each city's stored figures then (`ScorePeriod`), or, while
    those are computed again after a change of weight, computed from the rating periods.
    `few`: the cities are a page's, not all of them (see `_stored_at`)."""
    if ScorePeriodsBuilt.objects.exists():
        return _stored_at(moment, cities, few)
    return computed_at(moment, cities)


def _stored_at(moment, cities, few=False):
    """The figures of each city's ScorePeriod covering `moment`.

    The periods never overlap, and each ends where the next begins, so the one covering
    `moment` is also the city's last to start before it. Every city's are found at once in the
    index of spans (about 4 ms of SQL at 1,500 cities against 15 by their starts); a page's
    `few`, each by its start in the index of (city, start), about 0.01 ms a city against 0.1."""
    if few:
        latest = ScorePeriod.objects.filter(city=OuterRef("pk"), public_from__lt=moment)
        latest = latest.order_by("-public_from").values("public_from")[:1]
        condition = Q(score_periods__public_from=Subquery(latest))
    else:
        spans = F("score_periods__public_from"), F("score_periods__public_until")
        condition = Q(Covers(*spans, Value(moment)))
    then = FilteredRelation("score_periods", condition=condition)
    figures = {name: F(f"figures_then__{name}") for name in FIGURES}
    return cities.annotate(figures_then=then).annotate(**figures)


def computed_at(moment, cities, constants=None):
    """The cities' figures computed by the scoring query from the rating periods covering
    `moment` (with the framework's `constants`, read if not given)."""
    covering = rated_at(moment, period="rating_periods__")
    cities = cities.annotate(rated_then=FilteredRelation("rating_periods", condition=covering))
    return compute_scores(cities, constants or framework_constants(), "rated_then")


def score_period_rows(cities, constants):
    """(city, public_from, *FIGURES) rows for `cities` (a query of their ids): each city's
    figures from each moment its ratings changed, computed by the scoring query with the
    framework's `constants` from the rating periods in force from then on, and from
    BEFORE_THE_RECORD, with nothing rated. What `ScorePeriod` keeps."""
    at = F("public_from")
    in_force = rated_just_after(at, period="city__rating_periods__")
    # One row per moment: several of a city's ratings may change at once.
    moments = RatingPeriod.objects.filter(city__in=cities).order_by().values("city", "public_from")
    one_each = moments.annotate(first=Min("pk")).values("first")
    changes = RatingPeriod.objects.filter(pk__in=one_each).order_by()
    changes = changes.values("city", "public_from").annotate(
        rated_then=FilteredRelation("city__rating_periods", condition=in_force)
    )
    first = computed_at(BEFORE_THE_RECORD, City.objects.filter(pk__in=cities).order_by(), constants)
    first = first.annotate(public_from=Value(BEFORE_THE_RECORD))
    return [
        first.values_list("pk", "public_from", *FIGURES),
        compute_scores(changes, constants, "rated_then").values_list(
            "city", "public_from", *FIGURES
        ),
    ]
