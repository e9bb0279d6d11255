"""A city's score month by month, replayed from its log of approved updates.

At the end of each month an action's status is its latest approved update that had happened
by then (`ProgressUpdate.LATEST_FIRST`, the rule that picks today's current status), and the
score is the sum of the actions' shares (`scoring.score_share`), the terms the scored queryset
adds up in SQL. So the last month's score is the city's score today.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from commitments.models import ProgressUpdate
from commitments.scoring import points_for, rounded, score_share


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
    """The city's score at the end of each month from its first approved update to today's
    month, in one query; `principles` is `selectors.framework()` (principles with actions)."""
    shares = {
        action.pk: (action, principle)
        for principle in principles
        for action in principle.actions.all()
    }
    log = list(
        ProgressUpdate.objects.approved()
        .filter(city=city)
        .order_by(*[field.lstrip("-") for field in ProgressUpdate.LATEST_FIRST])
        .values_list("action_id", "status", "happened_on")
    )
    if not log:
        return []
    statuses, history, position = {}, [], 0
    for month, last_day in month_ends(log[0][2], today):
        while position < len(log) and log[position][2] <= last_day:
            action_id, status, _happened_on = log[position]
            statuses[action_id] = status
            position += 1
        exact = sum(score_share(points_for(status), *shares[pk]) for pk, status in statuses.items())
        history.append(MonthScore(month, rounded(exact), len(statuses)))
    return history


def history_changes(history):
    """The months whose score differs from the month before: the chart's data as a table."""
    before = [None, *history]
    return [
        month
        for index, month in enumerate(history)
        if month.score != getattr(before[index], "score", None)
    ]
