"""What the write services keep derived from the log agrees with the log itself."""

from datetime import date

import pytest
from django.utils import timezone

from cities.models import City
from commitments.models import Action, CityScore, CurrentStatus, RatingPeriod
from commitments.scores import STORED, framework_constants, principle_averages, stored_figures
from commitments.services import approve_update, rebuild_current_statuses
from tests.conftest import change_weight
from tests.factories import ActionFactory, CityFactory, ProgressUpdateFactory, ReviewerFactory

pytestmark = pytest.mark.django_db


def current_rows():
    return sorted(
        CurrentStatus.objects.values_list("city", "action", "update", "status", "happened_on")
    )


@pytest.fixture
def logged():
    """Two cities with approved, superseded, same-day and pending updates."""
    reviewer = ReviewerFactory()
    for city in CityFactory.create_batch(2):
        for code, steps in [("1.1", ["in_progress", "achieved"]), ("2.1", ["achieved"])]:
            action = ActionFactory(code=code)
            for step, status in enumerate(steps):
                update = ProgressUpdateFactory(
                    city=city, action=action, status=status, happened_on=date(2024, 1, 1 + step)
                )
                approve_update(update, reviewer)
        same_day = ProgressUpdateFactory(
            city=city, action=ActionFactory(code="2.1"), status="reversed",
            happened_on=date(2024, 1, 1),
        )  # fmt: skip
        approve_update(same_day, reviewer)
        older = ProgressUpdateFactory(
            city=city, action=ActionFactory(code="1.1"), status="not_started",
            happened_on=date(2023, 12, 1),
        )  # fmt: skip
        approve_update(older, reviewer)  # approved last, but it happened first: never current
        ProgressUpdateFactory(city=city, action=ActionFactory(code="3.1"))  # pending


def test_a_current_status_copies_its_updates_status_and_date(logged):
    for current in CurrentStatus.objects.select_related("update"):
        assert (current.status, current.happened_on) == (
            current.update.status,
            current.update.happened_on,
        )
    assert {status for *_ids, status, _on in current_rows()} == {"achieved", "reversed"}


def period_rows():
    return sorted(
        RatingPeriod.objects.values_list(
            "city", "action", "update", "status", "happened_on", "public_from", "public_until"
        )
    )


def test_rebuilding_gives_what_the_services_kept(logged):
    kept, kept_periods = current_rows(), period_rows()
    CurrentStatus.objects.all().delete()
    RatingPeriod.objects.all().delete()
    rebuild_current_statuses()
    assert current_rows() == kept and len(kept) == 4
    assert period_rows() == kept_periods and len(kept_periods) == 8


def test_each_current_update_rated_from_its_approval_to_the_next_ones(logged):
    for city, action in RatingPeriod.objects.values_list("city", "action").distinct():
        periods = RatingPeriod.objects.filter(city=city, action=action).order_by("public_from")
        periods = list(periods.select_related("update"))
        assert [period.public_from for period in periods] == [
            period.update.reviewed_at for period in periods
        ]
        assert [period.public_until for period in periods] == [
            *(period.public_from for period in periods[1:]),
            None,
        ]
        open_period = periods[-1]
        current = CurrentStatus.objects.get(city=city, action=action)
        assert open_period.update_id == current.update_id
    never_current = RatingPeriod.objects.filter(update__status="not_started")
    assert not never_current.exists()


def stored_and_computed():
    stored = list(CityScore.objects.order_by("city").values_list("city", *STORED))
    computed = stored_figures(City.objects.order_by("pk"), framework_constants())
    return stored, list(computed.values_list("pk", *STORED))


def test_stored_scores_are_what_the_scoring_query_computes(logged):
    stored, computed = stored_and_computed()
    assert stored == computed and len(stored) == 2


def test_principle_averages_from_stored_scores_are_those_of_today_s_ratings(logged):
    CityFactory()  # a city with nothing rated counts in every average
    today = timezone.localdate()
    stored = list(principle_averages().values_list("number", "average"))
    from_ratings = list(principle_averages(today).values_list("number", "average"))
    assert stored == from_ratings
    assert any(average for _number, average in stored)


def test_stored_scores_follow_a_change_of_weight(logged, staff_client):
    before = list(CityScore.objects.values_list("score_exact", flat=True))
    change_weight(staff_client, Action.objects.get(code="1.1"), 5)
    stored, computed = stored_and_computed()
    assert stored == computed
    assert list(CityScore.objects.values_list("score_exact", flat=True)) != before


def test_a_new_city_is_stored_unrated():
    city = CityFactory()
    assert (city.stored_score.score, city.stored_score.rated_actions) == (0, 0)
    assert city.stored_score.grade == "incomplete"
