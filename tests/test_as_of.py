"""The record as it stood at the end of a past day: scores from the same scored query as
today's, counting what had happened and had been approved by then."""

from datetime import date, datetime, time
from unittest import mock

import pytest
from django.utils import timezone

from cities.models import City
from commitments.models import Action, Pledge, PledgeStatus, ProgressUpdate, ReviewState
from commitments.scores import scored_as_of
from commitments.scoring import Status
from commitments.services import refresh_current_status
from tests.factories import CityFactory, MayorFactory, rate, reviewer

pytestmark = pytest.mark.django_db

FIGURES = ["score", "score_exact", "grade", "graded", "rated_actions", "total_actions",
           "achieved_actions", "reversed_actions", "last_updated", "principle_scores",
           "mayor_name", "pledge_status", "score_numerator"]  # fmt: skip


def at_noon(day):
    return datetime.combine(day, time(12), tzinfo=timezone.get_current_timezone())


def approved_on(day, model, **fields):
    """A submission approved at noon on `day` (submission times are stamped on save, so the
    clock is set back while it is saved)."""
    staff = reviewer()
    with mock.patch("django.utils.timezone.now", return_value=at_noon(day)):
        return model.objects.create(
            submitted_by=staff, review_state=ReviewState.APPROVED, reviewed_by=staff,
            reviewed_at=at_noon(day), **fields,
        )  # fmt: skip


def rated_on(city, code, status, happened_on, approved):
    action = Action.objects.get(code=code)
    approved_on(approved, ProgressUpdate, city=city, action=action, status=status,
                summary="Rated.", happened_on=happened_on)  # fmt: skip
    refresh_current_status(city.pk, action.pk)


def figures(cities):
    return {city.pk: tuple(getattr(city, name) for name in FIGURES) for city in cities}


def as_of(city, day):
    return scored_as_of(day).get(pk=city.pk)


def test_as_of_today_every_figure_is_todays():
    every_action = {action.code: Status.ACHIEVED for action in Action.objects.all()}
    mixed = {"1.1": Status.REVERSED, "2.2": Status.IN_PROGRESS}
    for statuses in ({}, {"1.1": Status.ACHIEVED}, mixed, every_action):
        city = CityFactory()
        MayorFactory(city=city)
        rate(city, statuses)
    today = timezone.localdate()
    assert figures(scored_as_of(today)) == figures(City.objects.with_scores())


def test_an_update_counts_from_the_day_it_was_approved():
    city = CityFactory()
    rated_on(city, "1.1", Status.ACHIEVED, date(2020, 7, 1), approved=date(2022, 6, 15))
    assert as_of(city, date(2022, 6, 14)).rated_actions == 0
    assert as_of(city, date(2022, 6, 15)).achieved_actions == 1  # approved at noon that day


def test_a_late_approval_of_an_older_event_does_not_replace_a_newer_one():
    city = CityFactory()
    rated_on(city, "1.1", Status.ACHIEVED, date(2020, 5, 1), approved=date(2020, 5, 2))
    rated_on(city, "1.1", Status.REVERSED, date(2019, 1, 1), approved=date(2021, 6, 1))
    rated_on(city, "1.1", Status.IN_PROGRESS, date(2022, 1, 1), approved=date(2022, 1, 2))
    assert as_of(city, date(2021, 12, 31)).achieved_actions == 1
    then = as_of(city, date(2022, 1, 2))
    assert (then.achieved_actions, then.reversed_actions, then.rated_actions) == (0, 0, 1)
    assert then.principle_scores[0]["points"] == 25


def test_the_mayor_and_pledge_are_those_of_the_day():
    city = CityFactory()
    former = MayorFactory(city=city, name="Former", term_start=date(2014, 1, 1),
                          term_end=date(2022, 1, 1))  # fmt: skip
    sitting = MayorFactory(city=city, name="Sitting", term_start=date(2022, 1, 1))
    approved_on(date(2016, 3, 1), Pledge, mayor=former, status=PledgeStatus.SIGNED,
                date=date(2016, 2, 1), source_url="https://example.org/signed")  # fmt: skip
    approved_on(date(2023, 4, 2), Pledge, mayor=sitting, status=PledgeStatus.DECLINED,
                date=date(2023, 3, 1), source_url="https://example.org/declined")  # fmt: skip

    def then(day):
        city_then = as_of(city, day)
        return city_then.mayor_name, city_then.pledge_status

    assert then(date(2015, 1, 1)) == ("Former", PledgeStatus.NOT_ASKED)
    assert then(date(2020, 1, 1)) == ("Former", PledgeStatus.SIGNED)
    assert then(date(2022, 6, 1)) == ("Sitting", PledgeStatus.NOT_ASKED)  # a new mayor: unsigned
    assert then(date(2023, 3, 15)) == ("Sitting", PledgeStatus.NOT_ASKED)  # not yet approved
    assert then(date(2023, 4, 2)) == ("Sitting", PledgeStatus.DECLINED)
