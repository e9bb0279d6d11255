"""The one home of the rating scale: statuses, points, weights, grades, coverage and rounding.

The scored queryset (`commitments.scores`), the methodology page, the admin, the API and the CSV
exports all read these constants. Scores are exact fractions of integer points and weights; the
only rounding rule is `round_half_up`, applied once, in SQL, on integers.
"""

from fractions import Fraction
from math import ceil, floor, prod

from django.db import models
from django.db.models import BigIntegerField, Case, IntegerField, Value, When
from django.db.models.functions import Cast
from django.utils.translation import gettext_lazy as _

# The pledge's seven numbered commitments; a city's score is the mean of their scores.
PRINCIPLE_NUMBERS = range(1, 8)


class Status(models.TextChoices):
    NOT_STARTED = "not_started", _("Not started")
    IN_PROGRESS = "in_progress", _("In progress")
    PARTIALLY_ACHIEVED = "partially_achieved", _("Partially achieved")
    ACHIEVED = "achieved", _("Achieved")
    REVERSED = "reversed", _("Reversed")


# "No information" is the absence of any approved update, never a stored value.
NO_INFORMATION = _("No information")

POINTS = {
    Status.NOT_STARTED: 0,
    Status.IN_PROGRESS: 25,
    Status.PARTIALLY_ACHIEVED: 50,
    Status.ACHIEVED: 100,
    Status.REVERSED: 0,
}
NO_INFORMATION_POINTS = 0
MAX_POINTS = max(POINTS.values())

MEANINGS = {
    Status.NOT_STARTED: _("Confirmed that nothing has been done."),
    Status.IN_PROGRESS: _(
        "A formal step is under way (proposal, task force, pilot, draft policy)."
    ),
    Status.PARTIALLY_ACHIEVED: _("Done in part, or in weaker form than the pledge asks."),
    Status.ACHIEVED: _("Done as the pledge asks."),
    Status.REVERSED: _("Was done and has been undone, or the city acted against it."),
}
NO_INFORMATION_MEANING = _("Nothing recorded yet.")

# Statuses that are flagged on scorecards, whatever points they earn.
FLAGGED = frozenset({Status.REVERSED})

DEFAULT_WEIGHT = 1
# Weights stay small so that exact scores fit in 64-bit integers on every database.
MAX_WEIGHT = 10


class Grade(models.TextChoices):
    A = "A", "A"
    B = "B", "B"
    C = "C", "C"
    D = "D", "D"
    F = "F", "F"
    INCOMPLETE = "incomplete", _("Incomplete")


# (grade, lowest whole-number score that earns it), best first. Grades apply to the score
# rounded half up to a whole number, the number that every page shows.
GRADES = [(Grade.A, 85), (Grade.B, 70), (Grade.C, 55), (Grade.D, 40), (Grade.F, 0)]

# A city rated on fewer than this share of the actions gets no letter grade: unrated actions
# count as 0 points, so below two thirds "nobody has looked yet" would outweigh what the city
# did, and its score is only provisional.
COVERAGE_THRESHOLD = Fraction(2, 3)
COVERAGE_THRESHOLD_TEXT = _("two thirds")

STALE_AFTER_DAYS = 365

# Exact scores are published with this many decimal places, rounded half up.
EXACT_PLACES = 2


def points_for(status):
    """Points an action earns; None (no approved update) earns nothing."""
    return NO_INFORMATION_POINTS if status is None else POINTS[Status(status)]


def points_expression(status_field):
    """SQL: the points a stored status earns."""
    return Case(
        *[When(**{status_field: status}, then=Value(points)) for status, points in POINTS.items()],
        default=Value(NO_INFORMATION_POINTS),
        output_field=IntegerField(),
    )


def round_half_up(numerator, denominator, scale=1):
    """SQL: numerator / denominator × scale, rounded half up, in integer arithmetic.

    Both are non-negative whole numbers, so integer division is floor division on every
    database and the result is exact: floor((2·n·scale + d) / (2·d)). The casts keep it
    integer division where a database widens a sum to a decimal (PostgreSQL's SUM of bigint).
    """
    twice_numerator = Cast(numerator * Value(2 * scale) + denominator, BigIntegerField())
    return twice_numerator / Cast(denominator * Value(2), BigIntegerField())


def framework_totals(weights):
    """The exact-score constants of each principle, from {principle number: [action weights]}.

    A principle's score is points / weight_total; the city score, their mean, is
    Σ points × multiplier / denominator, with multiplier the product of the other principles'
    weight totals and denominator the number of principles times the product of them all. A
    principle without actions has weight total 1 and scores 0.
    """
    totals = {number: max(sum(weights.get(number, [])), 1) for number in PRINCIPLE_NUMBERS}
    everything = prod(totals.values())
    return {
        number: {
            "action_count": len(weights.get(number, [])),
            "weight_total": total,
            "score_multiplier": everything // total,
            "score_denominator": len(PRINCIPLE_NUMBERS) * everything,
        }
        for number, total in totals.items()
    }


def score_share(points, action, principle):
    """What an action's points add to its city's exact score, as a fraction of one point:
    points × weight × the principle's multiplier over the common denominator, the same terms
    the scored queryset sums in SQL (`scores._city_points`)."""
    numerator = points * action.weight * principle.score_multiplier
    return Fraction(numerator, principle.score_denominator)


def rounded(score):
    """A non-negative exact score rounded half up to a whole number, as `round_half_up` does."""
    return floor(score + Fraction(1, 2))


def grade_for(score, rated_actions, total_actions):
    """The grade of a whole-number score, as the scored queryset gives it (`scores._grade`)."""
    if Fraction(rated_actions, total_actions or 1) < COVERAGE_THRESHOLD:
        return Grade.INCOMPLETE
    return next(grade for grade, minimum in GRADES if score >= minimum)


def minimum_rated_for_grade(total_actions):
    """The fewest rated actions that earn a letter grade, out of `total_actions`."""
    return ceil(COVERAGE_THRESHOLD * total_actions)


def status_rows():
    """(label, points, meaning, flagged) for every status, No information first."""
    no_information = (NO_INFORMATION, NO_INFORMATION_POINTS, NO_INFORMATION_MEANING, False)
    return [no_information] + [
        (status.label, POINTS[status], MEANINGS[status], status in FLAGGED) for status in Status
    ]


def grade_rows():
    """(grade, lowest score, highest score) for the methodology page."""
    rows, ceiling = [], 100
    for grade, minimum in GRADES:
        rows.append((grade, minimum, ceiling))
        ceiling = minimum - 1
    return rows
