"""The one home of the rating scale: statuses, their points, weights and grade thresholds.

The scorecards, methodology page, admin, API and CSV exports all read these constants; the SQL
that scores every city at once is built from them in `commitments.selectors`.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


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

# (grade, lowest whole-number score that earns it), best first. Grades apply to the score
# rounded half up to a whole number, the number that every page shows.
GRADES = [("A", 85), ("B", 70), ("C", 55), ("D", 40), ("F", 0)]
GRADE_CHOICES = [(grade, grade) for grade, _minimum in GRADES]

STALE_AFTER_DAYS = 365


def points_for(status):
    """Points an action earns; None (no approved update) earns nothing."""
    return NO_INFORMATION_POINTS if status is None else POINTS[Status(status)]


def round_score(score):
    """Round half up, the same rule the SQL uses, so Python and the database agree."""
    return int(score + 0.5)


def grade_rows():
    """(grade, lowest score, highest score) for the methodology page."""
    rows, ceiling = [], 100
    for grade, minimum in GRADES:
        rows.append((grade, minimum, ceiling))
        ceiling = minimum - 1
    return rows
