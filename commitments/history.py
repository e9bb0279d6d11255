"""A city's score month by month, replayed from its log of approved updates.

The chart shows what the public record said at the end of each month: an update counts from
when it had both happened and been approved (a late approval does not rewrite the months before
it), and among those an action's status is its latest (`ProgressUpdate.LATEST_FIRST`, the rule
that picks today's current status). The score is the sum of the actions' shares
(`scoring.score_share`), the terms the scored queryset adds up in SQL, so the last month's
score is the city's score today.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from fractions import Fraction
from math import lcm

from django.db.models.functions import Greatest, TruncDate

from commitments.models import ProgressUpdate
from commitments.scoring import Status, points_for, rounded, score_share


@dataclass(frozen=True)
class MonthScore:
    month: date  # the first day of the month
    score: int
    rated: int


def month_ends(first, last):
    """(first day, last day) of every month from `first`'s to `last`'s."""
    month = first.replace(day=1)
    while month <= last:
        following = (month + timedelta(days=32)).replace(day=1)
        yield month, following - timedelta(days=1)
        month = following


def score_history(city, principles, today):
    """The city's score at the end of each month from its first public update to the month of
    `today` (a past day for a page as of then), in one query; `principles` is
    `selectors.framework()` (principles with actions)."""
    denominator, shares = _shares(principles)
    # Read latest first, an update is its action's status from the month it became public
    # until the first month in which a later update of the action was public (if that month
    # is after its own): the score is a running sum of those changes, month by month.
    changes = defaultdict(int)  # month: the change in the exact score's numerator
    superseded_from = {}  # action id: the first month in which a later update of it was public
    for public_on, action_id, status in _public_updates(city, today):
        later = superseded_from.get(action_id)
        if later is None or public_on < later:  # `later` is the first day of a month
            month = public_on.replace(day=1)
            share = shares[action_id, status]
            changes[month] += share
            if later is not None:
                changes[later] -= share
            superseded_from[action_id] = month
    # An action is rated from the first month in which any update of it was public.
    newly_rated = Counter(superseded_from.values())
    if not newly_rated:
        return []
    history, exact, rated = [], 0, 0
    for month, _last_day in month_ends(min(newly_rated), today):
        exact += changes.get(month, 0)
        rated += newly_rated.get(month, 0)
        history.append(MonthScore(month, rounded(Fraction(exact, denominator)), rated))
    return history


def _shares(principles):
    """Each action's share of the score for each status (`scoring.score_share`), as numerators
    over one common denominator: the sums stay integers."""
    fractions = {
        (action.pk, status): score_share(points_for(status), action, principle)
        for principle in principles
        for action in principle.actions.all()
        for status in Status.values
    }
    denominator = lcm(*(share.denominator for share in fractions.values()))
    numerators = {
        key: share.numerator * (denominator // share.denominator)
        for key, share in fractions.items()
    }
    return denominator, numerators


def _public_updates(city, today):
    """(the day it became public, action id, status) of the city's approved updates by the end
    of `today`, in `ProgressUpdate.LATEST_FIRST` order (the order of an index that covers them).
    The day it became public is computed in SQL, in the site's time zone."""
    updates = ProgressUpdate.objects.approved_by(today).filter(city=city, happened_on__lte=today)
    updates = updates.annotate(public_on=Greatest("happened_on", TruncDate("reviewed_at")))
    updates = updates.order_by(*ProgressUpdate.LATEST_FIRST)
    return updates.values_list("public_on", "action_id", "status")


def history_changes(history):
    """The months whose score differs from the month before: the chart's data as a table."""
    before = [None, *history]
    return [
        month
        for index, month in enumerate(history)
        if month.score != getattr(before[index], "score", None)
    ]
