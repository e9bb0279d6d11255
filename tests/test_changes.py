"""What changed between two days: per city, each action's old and new status with its evidence,
and the score and grade before and after, on the page and in its CSV."""

import csv
import io
from datetime import date
from itertools import combinations

import pytest
from django.urls import reverse
from django.utils import timezone

from commitments.changes import changed_cities, new_periods
from commitments.scoring import Status
from commitments.views import CHANGES_PAGE_SIZE
from tests.factories import CityFactory
from tests.test_as_of import rated_on

pytestmark = pytest.mark.django_db

PERIOD = {"from": "2022-01-01", "to": "2022-12-31"}


@pytest.fixture
def movers():
    riser = CityFactory(name="Riseton", state="OH", slug="riseton")
    rated_on(riser, "1.1", Status.IN_PROGRESS, date(2021, 3, 1), approved=date(2021, 3, 2))
    rated_on(riser, "1.1", Status.ACHIEVED, date(2022, 5, 1), approved=date(2022, 5, 2))
    rated_on(riser, "2.1", Status.ACHIEVED, date(2022, 6, 1), approved=date(2022, 6, 2))
    still = CityFactory(name="Stillwater", state="MN", slug="stillwater")
    rated_on(still, "1.1", Status.ACHIEVED, date(2021, 3, 1), approved=date(2021, 3, 2))
    # Happened in the period, approved after it: not a change of the period.
    rated_on(still, "2.1", Status.ACHIEVED, date(2022, 6, 1), approved=date(2023, 2, 1))
    return riser, still


def test_the_changed_cities_are_those_with_an_action_rated_anew(movers):
    """Found by a rating period that began in the period, or through today by the start of the
    city's current score period, they are those of the periods in force at its end that began in
    it (`new_periods`), before and after each approval."""
    days = [date(2021, 1, 1), date(2021, 3, 1), date(2021, 3, 2), date(2021, 6, 1),
            date(2022, 5, 2), date(2022, 6, 1), date(2022, 12, 31), date(2023, 2, 1),
            date(2023, 3, 1), timezone.localdate(), date(1899, 12, 1)]  # fmt: skip
    CityFactory(name="Never Rated")
    found = set()
    for since, to in combinations(sorted(days), 2):
        rated_anew = {period.city for period in new_periods(since, to)}
        assert set(changed_cities(since, to)) == rated_anew, (since, to)
        found.add(len(rated_anew))
    assert found == {0, 1, 2}


def page(client, **params):
    response = client.get(reverse("commitments:changes"), {**PERIOD, **params})
    return response, response.content.decode()


def csv_rows(client, **params):
    response = client.get(reverse("data:changes_csv"), {**PERIOD, **params})
    assert response.status_code == 200
    return list(csv.DictReader(io.StringIO(response.content.decode())))


def test_each_changed_city_shows_its_statuses_and_scores_before_and_after(client, movers):
    response, body = page(client)
    assert response.status_code == 200
    assert "1 city changed." in body
    assert "Riseton, OH</a>: 1 → 6" in body  # 5 / 7 rounds to 1; 20 / 7 + 25 / 7 to 6
    assert "Stillwater" not in body
    assert ('<span class="status status-in_progress">In progress</span> → '
            '<span class="status status-achieved">Achieved</span>') in body  # fmt: skip
    assert ('<span class="status status-none">No information</span> → '
            '<span class="status status-achieved">Achieved</span>') in body  # fmt: skip
    assert 'href="/cities/oh/riseton/?as_of=2022-12-31"' in body


def test_the_csv_has_a_row_per_change_with_the_same_figures(client, movers):
    rows = csv_rows(client)
    assert [(row["city"], row["action"], row["old_status"], row["new_status"]) for row in rows] == [
        ("Riseton", "1.1", "in_progress", "achieved"),
        ("Riseton", "2.1", "", "achieved"),
    ]
    assert {(row["score_before"], row["score_after"]) for row in rows} == {("1", "6")}
    assert rows[0]["evidence_urls"] == ""  # rated without evidence


def test_a_later_period_shows_the_late_approval(client, movers):
    _response, body = page(client, **{"from": "2023-01-01"}, to="2023-03-01")
    assert "Stillwater" in body and "Riseton" not in body


def test_the_place_filters_narrow_the_cities(client, movers):
    assert "Riseton" not in page(client, state="MN")[1]
    assert "Riseton" in page(client, state="OH", city="riseton")[1]
    assert csv_rows(client, state="MN") == []


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"from": "2022-12-31", "to": "2022-01-01"}, "Choose a day before the end of the period."),
        ({"to": "2999-01-01"}, "This day has not happened yet"),
        ({"from": "yesterday"}, "Enter a valid date."),
        ({"city": "riseton", "state": ""}, "Give the city&#x27;s state too."),
    ],
)
def test_a_period_that_cannot_be_shown_gets_a_message(client, movers, params, message):
    response, body = page(client, **params)
    assert response.status_code == 400
    assert message in body
    assert client.get(reverse("data:changes_csv"), {**PERIOD, **params}).status_code == 400


def test_without_a_period_the_page_shows_the_last_year(client, movers):
    response = client.get(reverse("commitments:changes"))
    assert response.status_code == 200
    assert 'name="from"' in response.content.decode()


def test_the_changes_page_runs_a_fixed_number_of_queries(client, movers, django_assert_num_queries):
    for extra in range(2):
        if extra:
            for n in range(3):
                city = CityFactory(name=f"Extra {n}", state="OH")
                rated_on(city, "3.1", Status.ACHIEVED, date(2022, 2, 1), approved=date(2022, 2, 2))
        with django_assert_num_queries(11):
            assert page(client)[0].status_code == 200


def test_the_changes_page_shows_a_page_of_cities_at_a_time(client, movers):
    for n in range(CHANGES_PAGE_SIZE):
        city = CityFactory(name=f"Mover {n:02}", state="OH")
        rated_on(city, "3.1", Status.ACHIEVED, date(2022, 2, 1), approved=date(2022, 2, 2))
    first, second = page(client)[1], page(client, page=2)[1]
    assert f"{CHANGES_PAGE_SIZE + 1} cities changed; page 1 of 2." in first
    assert first.count('<section class="mb-4"') == CHANGES_PAGE_SIZE
    assert "Riseton" in second and second.count('<section class="mb-4"') == 1


def test_a_city_page_links_to_its_changes_over_the_last_year(client, movers):
    body = client.get("/cities/oh/riseton/").content.decode()
    assert "/changes/?from=" in body and "&amp;state=OH&amp;city=riseton" in body


def test_a_place_without_a_period_gets_the_last_year(client, movers):
    for path in ("/changes/", "/data/changes.csv"):
        assert client.get(path, {"state": "OH"}).status_code == 200, path
