"""Scores and grades, computed in SQL for every city at once, checked against a table of cases."""

from datetime import date

import pytest
from django.db.models import IntegerField, Value

from cities.models import City
from commitments.models import Action
from commitments.scoring import GRADES, Status, round_score
from commitments.selectors import cities_with_scores, grade_expression
from commitments.services import approve_update, reject_update
from tests.factories import ApprovedUpdateFactory, CityFactory, ProgressUpdateFactory, StaffFactory

pytestmark = pytest.mark.django_db

ACHIEVED, PARTIAL, IN_PROGRESS, REVERSED = (
    Status.ACHIEVED,
    Status.PARTIALLY_ACHIEVED,
    Status.IN_PROGRESS,
    Status.REVERSED,
)


def approved(city, code, status, happened_on=date(2024, 1, 1)):
    return ApprovedUpdateFactory(
        city=city, action=Action.objects.get(code=code), status=status, happened_on=happened_on
    )


def rate_principles(city, numbers, status):
    for action in Action.objects.filter(principle__number__in=numbers):
        approved(city, action.code, status)


def scored(city):
    return cities_with_scores(City.objects.filter(pk=city.pk)).get()


@pytest.mark.parametrize(
    ("principles", "status", "expected_score", "expected_grade"),
    [
        ([], None, 0, "F"),
        ([1, 2, 3, 4, 5, 6, 7], ACHIEVED, 100, "A"),
        ([1, 2, 3, 4, 5, 6, 7], PARTIAL, 50, "D"),
        ([1, 2, 3, 4, 5, 6, 7], IN_PROGRESS, 25, "F"),
        ([1, 2, 3, 4, 5, 6, 7], REVERSED, 0, "F"),
        ([1, 2, 3, 4, 5, 6], ACHIEVED, 86, "A"),  # 600 / 7 = 85.7
        ([1, 2, 3, 4, 5], ACHIEVED, 71, "B"),  # 500 / 7 = 71.4
        ([1, 2, 3, 4], ACHIEVED, 57, "C"),  # 400 / 7 = 57.1
        ([1, 2, 3], ACHIEVED, 43, "D"),  # 300 / 7 = 42.9
        ([1], ACHIEVED, 14, "F"),  # 100 / 7 = 14.3
    ],
)
def test_city_score_and_grade(principles, status, expected_score, expected_grade):
    city = CityFactory()
    rate_principles(city, principles, status)
    result = scored(city)
    assert (result.rounded_score, result.grade) == (expected_score, expected_grade)


def test_principle_score_is_the_mean_of_its_actions_including_unrated_ones():
    city = CityFactory()
    approved(city, "1.1", ACHIEVED)
    approved(city, "1.2", PARTIAL)
    approved(city, "2.1", IN_PROGRESS)
    result = scored(city)
    assert result.principle_1_score == pytest.approx(30.0)  # (100 + 50 + 0 + 0 + 0) / 5
    assert result.principle_2_score == pytest.approx(6.25)  # 25 / 4
    assert result.score == pytest.approx((30 + 6.25) / 7)
    assert result.rated_actions == 3


def test_weights_count_in_the_principle_mean():
    Action.objects.filter(code="1.1").update(weight=3)
    city = CityFactory()
    approved(city, "1.1", ACHIEVED)
    assert scored(city).principle_1_score == pytest.approx(300 / 7)


def test_reversed_action_earns_nothing_and_is_flagged():
    city = CityFactory()
    approved(city, "4.3", ACHIEVED, date(2022, 1, 1))
    approved(city, "4.3", REVERSED, date(2024, 1, 1))
    result = scored(city)
    assert result.principle_4_score == 0
    assert result.flagged_actions == 1


def test_only_approved_updates_count():
    city = CityFactory()
    ProgressUpdateFactory(city=city, action=Action.objects.get(code="1.1"), status=ACHIEVED)
    rejected = ProgressUpdateFactory(
        city=city, action=Action.objects.get(code="1.2"), status=ACHIEVED
    )
    reject_update(rejected, StaffFactory(), note="Not what the source says.")
    result = scored(city)
    assert (result.score, result.rated_actions) == (0, 0)


def test_latest_approved_update_wins_whatever_the_order_of_approval():
    city = CityFactory()
    action = Action.objects.get(code="1.1")
    newer = ProgressUpdateFactory(
        city=city, action=action, status=PARTIAL, happened_on=date(2025, 1, 1)
    )
    older = ProgressUpdateFactory(
        city=city, action=action, status=ACHIEVED, happened_on=date(2023, 1, 1)
    )
    reviewer = StaffFactory()
    approve_update(newer, reviewer)
    approve_update(older, reviewer)
    result = scored(city)
    assert result.principle_1_score == pytest.approx(10.0)  # partial: 50 / 5
    assert result.last_updated == date(2025, 1, 1)


def test_scoring_all_cities_takes_a_fixed_number_of_queries(django_assert_max_num_queries):
    for _ in range(3):
        approved(CityFactory(), "1.1", ACHIEVED)
    with django_assert_max_num_queries(2):
        few = len(list(cities_with_scores()))
    for _ in range(12):
        approved(CityFactory(), "2.1", PARTIAL)
    with django_assert_max_num_queries(2):
        many = len(list(cities_with_scores()))
    assert (few, many) == (3, 15)


def test_rounding_is_half_up():
    assert [round_score(x) for x in (84.49, 84.5, 0.5, 1.5)] == [84, 85, 1, 2]
    assert [grade for grade, _ in GRADES] == ["A", "B", "C", "D", "F"]


@pytest.mark.parametrize(("score", "grade"), [(100, "A"), (85, "A"), (84, "B"), (70, "B"),
                                              (69, "C"), (55, "C"), (54, "D"), (40, "D"),
                                              (39, "F"), (0, "F")])  # fmt: skip
def test_grade_thresholds_in_sql(score, grade):
    CityFactory()
    annotated = City.objects.annotate(points=Value(score, output_field=IntegerField()))
    assert annotated.annotate(grade=grade_expression("points")).get().grade == grade
