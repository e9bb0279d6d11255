"""A city's score month by month, replayed from its log of approved updates.

The chart shows what the public record said at the end of each month: an update counts from
when it had both happened and been approved (a late approval does not rewrite the months before
it), and among those an action's status is its latest (`ProgressUpdate.LATEST_FIRST`, the rule
that picks today's current status). The score is the sum of the actions' shares
(`scoring.score_share`), the terms the scored queryset adds up in SQL, so the last month's
score is the city's score today.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from fractions import Fraction

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
    # Each action's share of the score for each status, computed once.
    shares = {
        (action.pk, status): score_share(points_for(status), action, principle)
        for principle in principles
        for action in principle.actions.all()
        for status in Status.values
    }
    # LATEST_FIRST sorts descending on each field, so the larger tuple of them is the later.
    latest_key = [field.lstrip("-") for field in ProgressUpdate.LATEST_FIRST]
    rows = ProgressUpdate.objects.approved_by(today).filter(city=city, happened_on__lte=today)
    # The day it became public, in the site's time zone, computed (and sorted on) in SQL.
    rows = rows.annotate(public_on=Greatest("happened_on", TruncDate("reviewed_at")))
    rows = rows.order_by("public_on", *latest_key, "action_id")
    log = [
        (public_on, tuple(key), action_id, status)
        for public_on, action_id, status, *key in rows.values_list(
            "public_on", "action_id", "status", *latest_key
        )
    ]
    if not log:
        return []
    latest, history, position = {}, [], 0  # action id: (its LATEST_FIRST key, status)
    exact = Fraction(0)  # the sum of the latest statuses' shares, kept as they change
    for month, last_day in month_ends(log[0][0], today):
        while position < len(log) and log[position][0] <= last_day:
            _public_on, key, action_id, status = log[position]
            if action_id not in latest or key > latest[action_id][0]:
                if action_id in latest:
                    exact -= shares[action_id, latest[action_id][1]]
                exact += shares[action_id, status]
                latest[action_id] = (key, status)
            position += 1
        history.append(MonthScore(month, rounded(exact), len(latest)))
    return history


def history_changes(history):
    """The months whose score differs from the month before: the chart's data as a table."""
    before = [None, *history]
    return [
        month
        for index, month in enumerate(history)
        if month.score != getattr(before[index], "score", None)
    ]
