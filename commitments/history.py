"""A city's score month by month, read from its stored figures (`ScorePeriod`).

The chart shows what the public record said at the end of each month, and at the end of the day
shown for the last month (today, or a past day for a page as of then): the figures of the
city's score period in force at that moment, which the pages as of that day show too
(`scores.scored_as_of`). It begins with the month of the city's first rating, and its last
month's score is the city's score on the day shown.
"""

from bisect import bisect_left
from dataclasses import dataclass
from datetime import date, timedelta

from django.db import connection
from django.db.models import DateTimeField, Func, Q, Value
from django.utils import timezone

from commitments.models import BEFORE_THE_RECORD, ScorePeriod, ScorePeriodsBuilt, start_of_day_after


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


class MonthStart(Func):
    """PostgreSQL: the first moment of a moment's month, in the current time zone (the site's,
    as `start_of_day_after` and the months of `month_ends` are)."""

    function = "DATE_TRUNC"
    output_field = DateTimeField()

    def __init__(self, moment):
        zone = timezone.get_current_timezone_name()
        super().__init__(Value("month"), moment, Value(zone))


def score_history(city, day):
    """The city's score at the end of each month, from the month of its first rating to the
    month of `day` (that month's at the end of `day`), in two queries; None while the score
    periods are computed again after a change of weight (their figures are the old weights').
    Each month's is the period in force at its end, found as `scores._stored_at` finds a
    page's: the city's last period to start before that moment."""
    if not ScorePeriodsBuilt.objects.exists():
        return None
    end = start_of_day_after(day)
    periods = list(_periods_at_month_ends(city, end))
    if not periods:
        return []
    # Compared as timestamps: aware datetimes in two time zones (the database's UTC, the
    # site's) compare several times slower, 120 months by some ten comparisons each.
    starts = [start.timestamp() for start, _score, _rated in periods]
    history = []
    for month, last_day in month_ends(timezone.localdate(periods[0][0]), day):
        # A city's periods never overlap, and each ends where the next begins.
        moment = min(start_of_day_after(last_day), end).timestamp()
        _start, score, rated = periods[bisect_left(starts, moment) - 1]
        history.append(MonthScore(month, score, rated))
    return history


def _periods_at_month_ends(city, end):
    """(start, score, rated actions) of the city's periods that began after BEFORE_THE_RECORD
    and before `end`, in order. On PostgreSQL only those in force at a month's end or at `end`
    are read (about 120 of New York City's 3,000 periods); elsewhere, all of them."""
    periods = ScorePeriod.objects.filter(
        city=city, public_from__gt=BEFORE_THE_RECORD, public_from__lt=end
    )
    if connection.vendor == "postgresql":
        periods = periods.filter(
            Q(public_until=None)
            | Q(public_until__gte=end)
            | Q(public_from__lt=MonthStart("public_until"))
        )
    return periods.order_by("public_from").values_list("public_from", "score", "rated_actions")


def history_changes(history):
    """The months whose score differs from the month before: the chart's data as a table."""
    before = [None, *history]
    return [
        month
        for index, month in enumerate(history)
        if month.score != getattr(before[index], "score", None)
    ]
