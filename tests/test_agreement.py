"""Every surface a visitor reads shows the same numbers, equal to an exact computation.

Cities are built through the real review flow to hit every edge: exact halves, weights other
than 1, reversed actions, no information, coverage below and at the threshold, and ties. For
each, the city page, the scorecard, the CSV, the API list and detail, the badge and
`tests.scoring_oracle` (plain `Fraction` arithmetic) must agree.
"""

import csv
import io
import re
from xml.etree import ElementTree

import pytest

from commitments.models import Action
from commitments.scoring import PRINCIPLE_NUMBERS, Status
from commitments.selectors import home_figures
from commitments.services import refresh_framework_totals
from tests.factories import ApprovedUpdateFactory, CityFactory
from tests.scoring_oracle import expected_scores, half_up

pytestmark = pytest.mark.django_db

A, P, G, R, N = (Status.ACHIEVED, Status.PARTIALLY_ACHIEVED, Status.IN_PROGRESS, Status.REVERSED,
                 Status.NOT_STARTED)  # fmt: skip

EIGHTEEN = ["1.1", "1.2", "1.3", "1.4", "1.5", "2.1", "2.2", "2.3", "2.4", "3.1", "3.2", "3.3",
            "3.4", "4.1", "4.2", "4.3", "4.4", "5.1"]  # fmt: skip

# A achieved, P partially achieved, G in proGress, R reversed, N not started.
EDGE_CITIES = {
    # 87.5 / 7 = 12.5 exactly: rounds up to 13.
    "Halfway": {"4.1": A, "4.2": P, "2.1": A, "3.1": A},
    # 1.1 weighs 3 (below): principle 1 is (300 + 25) / 7.
    "Weighted": {"1.1": A, "1.2": G, "6.2": P, "7.1": A},
    "Reversal": {"4.3": R, "4.4": A, "5.2": P},
    "Nothing": {},
    "Seventeen": dict.fromkeys(EIGHTEEN[:17], A),
    "Eighteen": dict.fromkeys(EIGHTEEN, A),
    "Mixed": {**dict.fromkeys(EIGHTEEN, N), "5.2": P, "6.1": G, "7.3": R, "1.1": A},
    "Twin": {"1.1": A, "2.2": P},
    "Twain": {"1.1": A, "2.2": P},
}


@pytest.fixture
def edge_cities():
    Action.objects.filter(code="1.1").update(weight=3)
    refresh_framework_totals()
    cities = {}
    for name, statuses in EDGE_CITIES.items():
        city = CityFactory(name=name, state="OR")
        for code, status in statuses.items():
            ApprovedUpdateFactory(city=city, action=Action.objects.get(code=code), status=status)
        cities[name] = city
    return cities


def page_figures(client, city):
    body = client.get(city.get_absolute_url()).content.decode()
    score = int(re.search(r'<span class="score-big">(\d+)</span>', body)[1])
    exact = re.search(r"Exact score ([\d.]+);", body)[1]
    grade = re.search(r'<span class="grade grade-(\w+)"', body)[1]
    rated = int(re.search(r"rated on (\d+) of 27 actions", body)[1])
    principles = [int(s) for s in re.findall(r'border">(\d+) / 100</span>', body)]
    return score, exact, grade, rated, principles


def scorecard_figures(client):
    body = client.get("/cities/", {"state": "OR"}).content.decode()
    row = r'<th scope="row" class="sticky-column"><a href="[^"]+">(\w+)</a>, OR</th>(.*?)</tr>'
    rows = re.findall(row, body, re.S)
    figures = {}
    for name, cells in rows:
        score = int(re.search(r'<span class="fw-bold">(\d+)</span>', cells)[1])
        grade = re.search(r'<span class="grade grade-(\w+)"', cells)[1]
        principles = [int(s) for s in re.findall(r'principle-cell shade-\d">(\d+)<', cells)]
        figures[name] = (score, grade, principles)
    return figures


def csv_figures(client):
    response = client.get("/data/cities.csv", {"state": "OR"})
    content = response.content.decode()  # the cities CSV is short: sent whole, and cached
    return {row["city"]: row for row in csv.DictReader(io.StringIO(content))}


def badge_text(client, city):
    response = client.get(f"/cities/or/{city.slug}/badge.svg")
    svg = ElementTree.fromstring(response.content)
    return svg.find("{http://www.w3.org/2000/svg}title").text


def test_every_surface_agrees_with_the_exact_computation(client, edge_cities):
    scorecard, rows = scorecard_figures(client), csv_figures(client)
    listed = {c["name"]: c for c in client.get("/api/cities/", {"state": "OR"}).json()["results"]}
    assert set(scorecard) == set(rows) == set(listed) == set(EDGE_CITIES)
    for name, city in edge_cities.items():
        expected = expected_scores(EDGE_CITIES[name])
        principles = [expected.principle_scores[n] for n in PRINCIPLE_NUMBERS]
        exact = str(expected.score_exact)
        graded = expected.grade != "incomplete"

        assert page_figures(client, city) == (
            expected.score,
            exact,
            expected.grade,
            expected.rated,
            principles,
        ), name
        assert scorecard[name] == (expected.score, expected.grade, principles), name

        row = rows[name]
        assert (row["score"], row["score_exact"], row["grade"], row["rated_actions"]) == (
            str(expected.score),
            exact,
            expected.grade,
            str(expected.rated),
        ), name
        assert [int(row[f"principle_{n}_score"]) for n in PRINCIPLE_NUMBERS] == principles, name

        detail = client.get(f"/api/cities/or/{city.slug}/").json()
        for data in (listed[name], detail):
            assert (data["score"], data["score_exact"], data["grade"], data["graded"]) == (
                expected.score,
                exact,
                expected.grade,
                graded,
            ), name
            assert [p["score"] for p in data["principle_scores"]] == principles, name
        assert [p["score"] for p in detail["principles"]] == principles, name

        label = badge_text(client, city)
        assert f"pledge score {expected.score}" in label, name
        assert (f"grade {expected.grade}" in label) == graded, name
        assert f"rated on {expected.rated} of 27 actions" in label, name


def test_the_home_page_s_figures_agree_with_the_exact_computation(client, edge_cities):
    """Cities tracked, signed mayors, the mean of the exact scores rounded half up, achieved."""
    expected = [expected_scores(statuses) for statuses in EDGE_CITIES.values()]
    mean = sum(city.exact for city in expected) / len(expected)
    achieved = sum(list(statuses.values()).count(A) for statuses in EDGE_CITIES.values())
    body = client.get("/").content.decode()
    figures = re.findall(r'<dd class="fs-2 fw-bold mb-0">(\d+)</dd>', body)
    assert figures == [str(len(EDGE_CITIES)), "0", str(half_up(mean)), str(achieved)]


def test_the_home_page_s_average_is_the_exact_mean_rounded_half_up():
    """Exact scores 0.4, 0.4 and 0.7 over two denominators: their mean, 0.5, rounds up to 1,
    where the mean of the rounded scores would be 0."""
    cities = [
        {"grade": "F", "score_numerator": 2, "score_denominator": 5, "achieved_actions": 1},
        {"grade": "F", "score_numerator": 4, "score_denominator": 10, "achieved_actions": 0},
        {"grade": "D", "score_numerator": 7, "score_denominator": 10, "achieved_actions": 2},
    ]
    figures = home_figures(cities)
    assert (figures["cities_tracked"], figures["average_score"]) == (3, 1)
    assert figures["actions_achieved"] == 3
    assert dict(figures["grades"]) == {"A": 0, "B": 0, "C": 0, "D": 1, "F": 2, "incomplete": 0}
    assert home_figures([])["average_score"] is None


def test_the_edge_cases_are_really_there(edge_cities):
    halfway = expected_scores(EDGE_CITIES["Halfway"])
    assert (halfway.score, str(halfway.score_exact)) == (13, "12.50")
    assert expected_scores(EDGE_CITIES["Seventeen"]).grade == "incomplete"
    assert expected_scores(EDGE_CITIES["Eighteen"]).grade != "incomplete"
    assert expected_scores(EDGE_CITIES["Weighted"]).principle_scores[1] == 46  # 325 / 7


def test_tied_cities_share_a_rank_on_the_principle_page(client, edge_cities):
    body = client.get("/principles/training/").content.decode()
    rows = re.findall(r'<tr><td>(\d+)</td><th scope="row"><a href="[^"]+">(\w+)</a>', body)
    by_city = {name: int(rank) for rank, name in rows}
    assert by_city["Twin"] == by_city["Twain"]
    assert by_city["Eighteen"] == 1
