"""What a city page says first: a summary in words and what would raise the city's score.

Both read the principle cards the page already has (`selectors.principle_cards`), so they cost
no query.
"""

from collections import Counter
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from functools import lru_cache

from django.utils.text import get_text_list
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from commitments.scoring import (
    MAX_POINTS,
    Grade,
    Status,
    grade_for,
    rounded,
    score_share,
)

UNRESEARCHED = "unresearched"


def score_in_words(score, grade, graded, language=None):
    """A score and grade as every text alternative says them (map, badge, card, page), in the
    active language (`language`, if the caller has already looked it up)."""
    graded_words, provisional_words = score_phrases(language or get_language())
    if graded:
        return graded_words % {"score": score, "grade": grade}
    return provisional_words % {"score": score}


@lru_cache(maxsize=8)
def score_phrases(_language):
    """The phrases in the active language, looked up once: the map says one per city."""
    return (
        _("pledge score %(score)s of 100, grade %(grade)s"),
        _("pledge score %(score)s of 100 (provisional), no grade yet"),
    )


def standing_in_words(city):
    """A scored city's standing in one sentence: the badge's and the share card's text, and
    the city page's description."""
    score = score_in_words(city.score, city.grade, city.graded)
    return _("%(city)s, %(state)s: %(score)s, rated on %(rated)s of %(total)s actions") % {
        "city": city.name,
        "state": city.state_name,
        "score": score,
        "rated": city.rated_actions,
        "total": city.total_actions,
    }


def titles_in_words(principles):
    """Principles' titles as a sentence lists them: "A", "A and B", "A, B and C"."""
    return get_text_list([principle.title for principle in principles], _("and"))


@dataclass
class Summary:
    # Actions by status value ("achieved", ...), "unresearched" for those without one; a
    # Counter, so a status no action has counts 0.
    counts: Counter
    strongest: list  # the principles with the highest score (ties share the place)
    weakest: list
    total: int

    @property
    def strongest_in_words(self):
        return titles_in_words(self.strongest)

    @property
    def weakest_in_words(self):
        return titles_in_words(self.weakest)


def summary(cards):
    counts = Counter(row.status or UNRESEARCHED for card in cards for row in card.rows)
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
        """The points to one decimal place, rounded half up like every score."""
        return Decimal(rounded(self.points * 10)).scaleb(-1)

    @property
    def graded(self):
        return self.grade != Grade.INCOMPLETE


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
