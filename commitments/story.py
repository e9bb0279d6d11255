"""What a city page says first: a summary in words and what would raise the city's score.

Both read the principle cards the page already has (`selectors.principle_cards`), so they cost
no query.
"""

from collections import Counter
from dataclasses import dataclass
from fractions import Fraction

from commitments.scoring import (
    MAX_POINTS,
    Grade,
    Status,
    grade_for,
    rounded,
    score_share,
)


@dataclass
class Summary:
    counts: Counter  # status (None: not researched) → actions
    strongest: list  # the principles with the highest score (ties share the place)
    weakest: list
    total: int

    def count(self, status):
        return self.counts.get(status, 0)

    @property
    def achieved(self):
        return self.count(Status.ACHIEVED)

    @property
    def partially_achieved(self):
        return self.count(Status.PARTIALLY_ACHIEVED)

    @property
    def in_progress(self):
        return self.count(Status.IN_PROGRESS)

    @property
    def not_started(self):
        return self.count(Status.NOT_STARTED)

    @property
    def reversed(self):
        return self.count(Status.REVERSED)

    @property
    def unresearched(self):
        return self.count(None)


def summary(cards):
    counts = Counter(row.status for card in cards for row in card.rows)
    scores = [card.score["score"] for card in cards]
    differ = len(set(scores)) > 1  # all equal: neither strongest nor weakest

    def scoring(score):
        return [card.principle for card in cards if differ and card.score["score"] == score]

    return Summary(
        counts=counts,
        strongest=scoring(max(scores, default=None)),
        weakest=scoring(min(scores, default=None)),
        total=sum(counts.values()),
    )


@dataclass
class Gain:
    row: object  # selectors.ActionRow
    principle: object
    points: Fraction  # added to the city's score if the action were achieved
    score: int  # the city's score then
    grade: Grade  # and its grade

    @property
    def points_shown(self):
        return f"{float(self.points):.1f}"


def raise_the_grade(city, cards):
    """The actions not yet achieved, each with what achieving it would add, most first."""
    exact = Fraction(city.score_numerator, city.score_denominator)
    gains = []
    for card in cards:
        for row in card.rows:
            if row.status == Status.ACHIEVED:
                continue
            added = score_share(MAX_POINTS - row.points, row.action, card.principle)
            rated = city.rated_actions + (row.status is None)
            score = rounded(exact + added)
            gains.append(
                Gain(row, card.principle, added, score, grade_for(score, rated, city.total_actions))
            )
    return sorted(
        gains, key=lambda gain: (-gain.points, gain.principle.number, gain.row.action.position)
    )
