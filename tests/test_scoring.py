"""Scores, grades and coverage from `City.objects.with_scores()`, against an exact computation."""

from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cities.models import City
from commitments.models import Action
from commitments.scores import ranked_on_principle
from commitments.scoring import GRADES, MAX_WEIGHT, Status, minimum_rated_for_grade
from commitments.services import approve_update, refresh_framework_totals, reject_update
from tests.factories import CityFactory, ProgressUpdateFactory, rate, reviewer
from tests.scoring_oracle import expected_scores

pytestmark = pytest.mark.django_db

ACHIEVED, PARTIAL, IN_PROGRESS, REVERSED, NOT_STARTED = (
    Status.ACHIEVED,
    Status.PARTIALLY_ACHIEVED,
    Status.IN_PROGRESS,
    Status.REVERSED,
    Status.NOT_STARTED,
)


def scored(city):
    return City.objects.with_scores().get(pk=city.pk)


def assert_agrees(city, statuses):
    result, expected = scored(city), expected_scores(statuses)
    assert (result.score, result.score_exact, result.grade, result.rated_actions) == (
        expected.score,
        expected.score_exact,
        expected.grade,
        expected.rated,
    )
    shown = {entry["number"]: entry["score"] for entry in result.principle_scores}
    assert shown == expected.principle_scores
    assert_bounded_and_graded_by_score(result)
    return result


def assert_bounded_and_graded_by_score(city):
    """Whatever the ratings and weights: scores within 0 to 100, the grade the score's band."""
    assert 0 <= city.score_exact <= 100
    assert all(0 <= entry["score"] <= 100 for entry in city.principle_scores)
    if city.graded:
        assert city.grade == next(grade for grade, low in GRADES if city.score_exact >= low)


def codes(*numbers):
    return list(Action.objects.filter(principle__number__in=numbers).values_list("code", flat=True))


def set_weights(weights):
    for code, weight in weights.items():
        Action.objects.filter(code=code).update(weight=weight)
    refresh_framework_totals()


def test_building_the_scored_queryset_runs_no_query(django_assert_num_queries):
    with django_assert_num_queries(0):
        City.objects.with_scores().filter(state="MN").order_by("-score")


@pytest.mark.parametrize(
    ("numbers", "status", "score", "grade"),
    [
        ([], None, 0, "incomplete"),
        ([1, 2, 3, 4, 5, 6, 7], ACHIEVED, 100, "A"),
        ([1, 2, 3, 4, 5, 6, 7], PARTIAL, 50, "D"),
        ([1, 2, 3, 4, 5, 6, 7], IN_PROGRESS, 25, "F"),
        ([1, 2, 3, 4, 5, 6, 7], REVERSED, 0, "F"),
        ([1, 2, 3, 4, 5, 6, 7], NOT_STARTED, 0, "F"),
        ([1, 2, 3, 4, 5, 6], ACHIEVED, 86, "A"),  # 600 / 7 = 85.7, 24 of 27 rated
        ([1, 2, 3, 4, 5], ACHIEVED, 71, "B"),  # 500 / 7 = 71.4, 21 rated
        ([4, 5, 6, 7], ACHIEVED, 57, "incomplete"),  # 400 / 7, 14 rated: no grade
        ([1], ACHIEVED, 14, "incomplete"),  # 100 / 7 = 14.3
    ],
)
def test_city_score_and_grade(numbers, status, score, grade):
    city = CityFactory()
    statuses = dict.fromkeys(codes(*numbers), status)
    rate(city, statuses)
    result = assert_agrees(city, statuses)
    assert (result.score, result.grade) == (score, grade)


def test_an_exact_half_rounds_up():
    # (100 + 50) / 4 on principle 4, 25 on principles 2 and 3: 87.5 / 7 = 12.5 exactly.
    city = CityFactory()
    statuses = {"4.1": ACHIEVED, "4.2": PARTIAL, "2.1": ACHIEVED, "3.1": ACHIEVED}
    rate(city, statuses)
    result = assert_agrees(city, statuses)
    assert (result.score, str(result.score_exact)) == (13, "12.50")


def test_principle_scores_round_half_up_and_unrated_actions_count_as_zero():
    city = CityFactory()
    rate(city, {"2.1": PARTIAL})
    result = assert_agrees(city, {"2.1": PARTIAL})  # 50 / 4 = 12.5 on principle 2
    assert result.principle_scores[1] == {
        "number": 2, "score": 13, "points": 50, "weight": 4, "rated": 1, "actions": 4,
    }  # fmt: skip


def test_weights_count_in_the_principle_mean_and_the_city_score():
    set_weights({"1.1": 3, "6.2": 7})
    city = CityFactory()
    statuses = {"1.1": ACHIEVED, "1.2": IN_PROGRESS, "6.2": PARTIAL, "7.1": ACHIEVED}
    rate(city, statuses)
    result = assert_agrees(city, statuses)
    assert result.principle_scores[0]["weight"] == 7  # 3 + 1 + 1 + 1 + 1
    assert result.principle_scores[0]["points"] == 325  # 3 × 100 + 25


def test_weights_are_bounded_so_exact_scores_fit_in_64_bits():
    assert Action._meta.get_field("weight").validators[-1].limit_value == MAX_WEIGHT
    everything = dict.fromkeys(codes(1, 2, 3, 4, 5, 6, 7), ACHIEVED)
    set_weights(dict.fromkeys(everything, MAX_WEIGHT))
    city = CityFactory()
    rate(city, everything)
    assert assert_agrees(city, everything).score == 100


def test_coverage_threshold_is_two_thirds_of_the_actions():
    assert minimum_rated_for_grade(27) == 18
    assert minimum_rated_for_grade(3) == 2
    eighteen = codes(1, 2, 3, 4, 5)[:18]
    assert len(eighteen) == 18
    graded, incomplete = CityFactory(), CityFactory()
    rate(graded, dict.fromkeys(eighteen, NOT_STARTED))
    rate(incomplete, dict.fromkeys(eighteen[:17], ACHIEVED))
    assert (scored(graded).grade, scored(graded).graded) == ("F", True)
    assert (scored(incomplete).grade, scored(incomplete).graded) == ("incomplete", False)


def test_reversed_action_earns_nothing_and_is_counted():
    city = CityFactory()
    rate(city, {"4.3": REVERSED, "4.4": ACHIEVED})
    result = scored(city)
    assert (result.principle_scores[3]["points"], result.reversed_actions) == (100, 1)


def test_only_approved_updates_count():
    city = CityFactory()
    ProgressUpdateFactory(city=city, action=Action.objects.get(code="1.1"), status=ACHIEVED)
    rejected = ProgressUpdateFactory(
        city=city, action=Action.objects.get(code="1.2"), status=ACHIEVED
    )
    reject_update(rejected, reviewer(), note="Not what the source says.")
    result = scored(city)
    assert (result.score, result.score_exact, result.rated_actions) == (0, 0, 0)


def test_latest_approved_update_wins_whatever_the_order_of_approval():
    city = CityFactory()
    action = Action.objects.get(code="1.1")
    newer = ProgressUpdateFactory(
        city=city, action=action, status=PARTIAL, happened_on=date(2025, 1, 1)
    )
    older = ProgressUpdateFactory(
        city=city, action=action, status=ACHIEVED, happened_on=date(2023, 1, 1)
    )
    approve_update(newer, reviewer())
    approve_update(older, reviewer())
    result = scored(city)
    assert result.principle_scores[0]["points"] == 50
    assert result.last_updated == date(2025, 1, 1)


def test_ties_share_a_rank():
    tied = [CityFactory(name=name) for name in ("Ames", "Bend", "Cary")]
    for city in tied:
        rate(city, {"1.1": ACHIEVED})
    leader, last = CityFactory(name="Dover"), CityFactory(name="Erie")
    rate(leader, {"1.1": ACHIEVED, "1.2": ACHIEVED})
    ranked = ranked_on_principle(City.objects.with_scores(), 1)
    ranks = [(city.name, city.rank, city.principle_score) for city in ranked]
    assert ranks == [("Dover", 1, 40), ("Ames", 2, 20), ("Bend", 2, 20), ("Cary", 2, 20),
                     (last.name, 5, 0)]  # fmt: skip


def test_scoring_all_cities_takes_one_query(django_assert_num_queries):
    for _ in range(3):
        rate(CityFactory(), {"1.1": ACHIEVED})
    with django_assert_num_queries(1):
        few = len(list(City.objects.with_scores()))
    for _ in range(12):
        rate(CityFactory(), {"2.1": PARTIAL, "5.2": ACHIEVED})
    with django_assert_num_queries(1):
        many = len(list(City.objects.with_scores()))
    assert (few, many) == (3, 15)


ALL_CODES = [f"{p}.{a}" for p, count in enumerate([5, 4, 4, 4, 4, 3, 3], 1)
             for a in range(1, count + 1)]  # fmt: skip


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    statuses=st.dictionaries(st.sampled_from(ALL_CODES), st.sampled_from(list(Status))),
    weights=st.dictionaries(st.sampled_from(ALL_CODES), st.integers(1, MAX_WEIGHT), max_size=6),
)
def test_sql_scores_equal_the_exact_computation(statuses, weights):
    Action.objects.update(weight=1)
    set_weights(weights)
    city = CityFactory()
    rate(city, statuses)
    assert_agrees(city, statuses)
