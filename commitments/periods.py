"""Rating periods derived from the log: when each approved update was its city's current status.

Functions over plain rows, so that the write services and the migration that first filled the
table derive periods by the same rule.
"""

from itertools import groupby

from commitments.models import UPDATES_LATEST_FIRST

# What `rating_periods` reads of each approved update.
FIELDS = ("city_id", "action_id", "id", "status", "happened_on", "reviewed_at")
# The order in which updates were approved, city by city and action by action.
APPROVAL_ORDER = ("city_id", "action_id", "reviewed_at", "id")
# Of two updates, the later in this order is the current status (UPDATES_LATEST_FIRST).
LOG_ORDER = [name.lstrip("-") for name in UPDATES_LATEST_FIRST]


def rating_periods(approved):
    """(update row, public_until) for every approved update that became current.

    `approved`: rows (dicts of FIELDS) in APPROVAL_ORDER. An update becomes current when it is
    approved if it comes later in the log's order than the current one; the period of the one
    it supersedes ends then. The last period of each city and action is open (None).
    """
    for _same_city_and_action, updates in groupby(approved, key=_city_and_action):
        current = None
        for row in updates:
            if current is None or _log_order(row) > _log_order(current):
                if current is not None:
                    yield current, row["reviewed_at"]
                current = row
        yield current, None


def _city_and_action(row):
    return row["city_id"], row["action_id"]


def _log_order(row):
    return tuple(row[field] for field in LOG_ORDER)


def period_fields(row, public_until):
    """A RatingPeriod's fields for an update row that became current."""
    return {
        "city_id": row["city_id"],
        "action_id": row["action_id"],
        "update_id": row["id"],
        "status": row["status"],
        "happened_on": row["happened_on"],
        "public_from": row["reviewed_at"],
        "public_until": public_until,
    }
