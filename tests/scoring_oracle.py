"""An independent computation of the methodology with `fractions.Fraction`, for tests to agree with.

It reads only the published rules (points per status, grade thresholds, the coverage share) and
the framework as stored; the arithmetic is its own, so a mistake in the SQL cannot hide here.
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from commitments.models import Action
from commitments.scoring import GRADES, POINTS


def half_up(value, places=0):
    step = Decimal(1).scaleb(-places)
    exact = Decimal(value.numerator) / Decimal(value.denominator)
    return exact.quantize(step, rounding=ROUND_HALF_UP)


@dataclass
class Expected:
    score: int
    score_exact: Decimal
    grade: str
    rated: int
    principle_scores: dict  # {principle number: rounded score}
    exact: Fraction  # the score, unrounded


def expected_scores(statuses):
    """What a city rated with {action code: status} must show, under the stored weights."""
    actions = list(Action.objects.select_related("principle"))
    by_principle = {}
    for action in actions:
        by_principle.setdefault(action.principle.number, []).append(action)
    principle_scores = {}
    for number, members in by_principle.items():
        points = sum(action.weight * POINTS.get(statuses.get(action.code), 0) for action in members)
        principle_scores[number] = Fraction(points, sum(action.weight for action in members))
    exact = sum(principle_scores.values()) / len(principle_scores)
    score = int(half_up(exact))
    rated = sum(1 for action in actions if action.code in statuses)
    if Fraction(rated, len(actions)) < Fraction(2, 3):
        grade = "incomplete"
    else:
        grade = next(grade for grade, minimum in GRADES if score >= minimum)
    return Expected(
        score=score,
        score_exact=half_up(exact, 2),
        grade=grade,
        rated=rated,
        principle_scores={number: int(half_up(s)) for number, s in principle_scores.items()},
        exact=exact,
    )
