"""The grid of cities against the actions, and the comparison of two to four cities."""

import re

import pytest
from django.urls import reverse
from django.utils.html import escape

from cities.models import City
from commitments.comparison import compare_url
from commitments.models import Action
from commitments.scoring import Status
from commitments.templatetags.comparison import shade
from tests.factories import ApprovedUpdateFactory, CityFactory, MayorFactory, rate

pytestmark = pytest.mark.django_db

GRID = "/grid/"
COMPARE = "/compare/"
ROW_CITY = re.compile(r'<th scope="row"><a href="[^"]+">([^<]+)</a>')
ACTION_COLUMN = re.compile(r'<th scope="col"><abbr title="[^"]*">(\d\.\d)</abbr></th>')
DIFFERING_ROW = re.compile(
    r'<tr class="(?:principle-row )?differs"><th scope="row"[^>]*>(.*?)<span class="differs-mark">'
)


def text(response):
    return response.content.decode()


def grid_names(client, **params):
    return ROW_CITY.findall(text(client.get(GRID, params)))


def symbol(status, name, named=False):
    return (
        f'<span class="symbol symbol-{status}" aria-hidden="true">{{}}</span>'
        f'<span class="{"symbol-name" if named else "visually-hidden"}">{name}</span>'
    )


@pytest.fixture
def minneapolis():
    city = CityFactory(name="Minneapolis", state="MN", population=425_000)
    rate(city, {"1.1": Status.ACHIEVED, "1.2": Status.IN_PROGRESS, "2.1": Status.REVERSED})
    return city


@pytest.fixture
def atlanta():
    city = CityFactory(name="Atlanta", state="GA", population=510_000)
    rate(city, {"1.1": Status.ACHIEVED, "1.2": Status.ACHIEVED, "3.1": Status.NOT_STARTED})
    return city


@pytest.fixture
def camden():
    city = CityFactory(name="Camden", state="NJ", population=70_000)
    codes = Action.objects.filter(principle__number__lte=6).values_list("code", flat=True)
    rate(city, dict.fromkeys(codes, Status.ACHIEVED))
    return city


# The grid


@pytest.mark.parametrize(
    ("status", "shape", "name"),
    [
        (Status.ACHIEVED, "●", "Achieved"),
        (Status.PARTIALLY_ACHIEVED, "◐", "Partially achieved"),
        (Status.IN_PROGRESS, "◔", "In progress"),
        (Status.NOT_STARTED, "○", "Not started"),
        (Status.REVERSED, "✕", "Reversed"),
    ],
)
def test_a_grid_cell_shows_the_status_symbol_and_names_it_and_links_to_the_evidence(
    client, status, shape, name
):
    city = CityFactory(name="Minneapolis", state="MN")
    rate(city, {"4.2": status})
    body = text(client.get(GRID))
    cell = symbol(status, name).format(shape)
    assert f'<td><a href="/cities/mn/minneapolis/#action-4-2">{cell}</a></td>' in body
    assert body.count('class="visually-hidden">No information</span>') == 26


def test_an_unrated_action_shows_no_information(client, minneapolis):
    body = text(client.get(GRID))
    cell = symbol("none", "No information").format("·")
    assert f'<td><a href="/cities/mn/minneapolis/#action-7-3">{cell}</a></td>' in body


def test_the_grid_has_a_legend_of_every_symbol_and_a_key_of_every_code(client, minneapolis):
    body = text(client.get(GRID))
    for status, shape, name in [("achieved", "●", "Achieved"), ("none", "·", "No information"),
                                ("reversed", "✕", "Reversed")]:  # fmt: skip
        assert symbol(status, name, named=True).format(shape) in body
    for action in Action.objects.all():
        assert f"<li><strong>{action.code}</strong> {escape(action.title)}</li>" in body
    assert ACTION_COLUMN.findall(body) == list(Action.objects.values_list("code", flat=True))


def test_the_grid_scrolls_in_a_focusable_labelled_region(client, minneapolis):
    body = text(client.get(GRID))
    assert '<div class="scroll-region" role="region" aria-label="Grid of cities' in body
    assert 'tabindex="0"' in body.split('class="scroll-region"')[1].split(">")[0]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, ["Atlanta", "Camden", "Minneapolis"]),
        ({"state": "MN"}, ["Minneapolis"]),
        ({"population": "500k"}, ["Atlanta"]),
        ({"population": "250k"}, ["Minneapolis"]),
        ({"population": "50k", "state": "NJ"}, ["Camden"]),
        ({"population": "1m"}, []),
        ({"principle": "2"}, ["Atlanta", "Camden", "Minneapolis"]),
        ({"grade": "A"}, ["Camden"]),
    ],
)
def test_the_grid_filters_cities_like_the_scorecard(
    client, minneapolis, atlanta, camden, params, expected
):
    assert grid_names(client, **params) == expected


def test_the_principle_filter_keeps_only_its_actions_as_columns(client, minneapolis):
    body = text(client.get(GRID, {"principle": "2"}))
    assert ACTION_COLUMN.findall(body) == ["2.1", "2.2", "2.3", "2.4"]
    assert 'href="/cities/mn/minneapolis/#action-2-1">' in body
    assert "#action-1-1" not in body
    assert ">P2</abbr>" in body and ">P1</abbr>" not in body


def test_bad_grid_filters_are_reported_and_ignored(client, minneapolis, atlanta):
    response = client.get(GRID, {"principle": "9", "population": "huge"})
    assert response.status_code == 200
    assert "Select a valid choice" in text(response)
    assert grid_names(client, principle="9", population="huge") == ["Atlanta", "Minneapolis"]


def test_the_grid_says_when_nothing_matches(client, minneapolis):
    assert "No cities match these filters" in text(client.get(GRID, {"state": "WY"}))


def test_the_compact_view_shows_each_principle_score_shaded_with_the_number(client, camden):
    body = text(client.get(GRID, {"view": "principles"}))
    cells = re.findall(r'<td class="shade-(\d)"><a href="([^"]+)">(\d+)</a></td>', body)
    expected = [("4", f"/cities/nj/camden/#principle-{n}", "100") for n in range(1, 7)]
    assert cells == [*expected, ("0", "/cities/nj/camden/#principle-7", "0")]
    assert ACTION_COLUMN.findall(body) == []
    assert '<span class="shade shade-4">80–100</span>' in body


def test_the_compact_view_keeps_the_principle_filter(client, camden):
    body = text(client.get(GRID, {"view": "principles", "principle": "7"}))
    assert re.findall(r'<td class="shade-\d"><a href="([^"]+)">', body) == [
        "/cities/nj/camden/#principle-7"
    ]


@pytest.mark.parametrize(
    ("score", "step"), [(0, 0), (19, 0), (20, 1), (59, 2), (60, 3), (79, 3), (80, 4), (100, 4)]
)
def test_scores_fall_on_five_shades(score, step):
    assert shade(score) == step


def test_the_grid_pages_by_fifty_and_keeps_the_filters(client):
    for n in range(51):
        CityFactory(name=f"City {n:02d}", state="OH")
    CityFactory(name="Elsewhere", state="CA")
    first = text(client.get(GRID, {"state": "OH", "view": "principles"}))
    assert "51 cities, page 1 of 2" in first
    assert 'href="?state=OH&amp;view=principles&amp;page=2"' in first
    assert grid_names(client, state="OH", page=2) == ["City 50"]


# The comparison


def compare(client, cities):
    return client.get(COMPARE, {"cities": cities})


def differing_rows(body):
    return [re.sub(r"<[^>]+>", "", row).strip() for row in DIFFERING_ROW.findall(body)]


def test_a_comparison_shows_each_city_side_by_side_and_marks_the_differences(
    client, minneapolis, atlanta
):
    response = compare(client, "mn/minneapolis,ga/atlanta")
    assert response.status_code == 200
    body = text(response)
    columns = re.findall(r'<th scope="col"><a href="([^"]+)">([^<]+)</a>, (\w\w)</th>', body)
    assert columns == [("/cities/mn/minneapolis/", "Minneapolis", "MN"),
                       ("/cities/ga/atlanta/", "Atlanta", "GA")]  # fmt: skip
    # 1.1 is achieved in both; 1.2, 2.1 and 3.1 differ. Of the principles only the first
    # scores differently: reversed and not started earn nothing, as no information does.
    assert differing_rows(body) == [
        "Score",
        "1. Ensure Police Are Accountable to the Community",
        "1.2 Independent civilian review board",
        "2.1 Racial bias training",
        "3.1 Diverse hiring and retention",
    ]
    assert "They differ on 3 actions" in body
    achieved = symbol("achieved", "Achieved", named=True).format("●")
    reversed_ = symbol("reversed", "Reversed", named=True).format("✕")
    assert f'<a href="/cities/ga/atlanta/#action-1-2">{achieved}</a>' in body
    assert f'<a href="/cities/mn/minneapolis/#action-2-1">{reversed_}</a>' in body
    assert '<td class="shade-2"><a href="/cities/ga/atlanta/#principle-1">40' in body


def test_identical_cities_differ_nowhere(client):
    for name in ("Alpha", "Beta"):
        rate(CityFactory(name=name, state="OH"), {"1.1": Status.ACHIEVED})
    body = text(compare(client, "oh/alpha,oh/beta"))
    assert differing_rows(body) == []
    assert '<tr class="differs' not in body and "principle-row differs" not in body
    assert "They differ on 0 actions" in body


def test_a_comparison_accepts_repeated_parameters_any_case_and_ignores_repeats(
    client, minneapolis, atlanta, camden
):
    url = f"{COMPARE}?cities=NJ/camden&cities=ga/atlanta,&cities=&cities=/nj/camden/,mn/minneapolis"
    body = text(client.get(url))
    names = re.findall(r'<th scope="col"><a href="[^"]+">([^<]+)</a>', body)
    assert names == ["Camden", "Atlanta", "Minneapolis"]


@pytest.mark.parametrize(
    ("cities", "message"),
    [
        ("minneapolis", "“minneapolis” is not written as a city"),
        ("mn/minneapolis,<b>x</b>", "“&lt;b&gt;x&lt;/b&gt;” is not written as a city"),
        ("mn/minneapolis,mn/nowhere", "No city is tracked at “mn/nowhere”."),
        ("mn/minneapolis,ga/atlanta,nj/camden,oh/a,oh/b", "Compare at most 4 cities at a time."),
    ],
)
def test_bad_choices_get_a_message_and_the_form(client, minneapolis, atlanta, camden, cities,
                                                message):  # fmt: skip
    response = compare(client, cities)
    assert response.status_code == 400
    body = text(response)
    assert '<div class="alert alert-warning" role="alert">' in body
    assert message in body
    assert "<table" not in body
    assert '<input type="text" name="cities" id="city-1"' in body


def test_one_city_fills_in_the_form_and_asks_for_more(client, minneapolis):
    response = client.get(compare_url([minneapolis]))
    assert response.status_code == 200
    body = text(response)
    assert "Add one to three more cities to compare with Minneapolis, MN." in body
    assert 'id="city-1" value="mn/minneapolis"' in body
    assert 'id="city-4" value=""' in body
    assert "<table" not in body


def test_without_cities_the_page_offers_the_form_and_every_city(client, minneapolis, atlanta):
    response = client.get(COMPARE)
    assert response.status_code == 200
    body = text(response)
    assert "alert" not in body.split("<h1")[1]
    assert '<option value="ga/atlanta">Atlanta, GA</option>' in body
    assert '<option value="mn/minneapolis">Minneapolis, MN</option>' in body
    assert body.count('list="city-choices"') == 4


def test_the_comparison_link_names_each_city_by_state_and_slug(minneapolis, atlanta):
    assert compare_url([minneapolis]) == "/compare/?cities=mn/minneapolis"
    assert compare_url([minneapolis, atlanta]) == "/compare/?cities=mn/minneapolis,ga/atlanta"


# What guards every public page


def populate(count):
    for _ in range(count):
        city = CityFactory()
        MayorFactory(city=city)
        ApprovedUpdateFactory(city=city, action=Action.objects.get(code="1.1"))
        rate(city, {"2.2": Status.PARTIALLY_ACHIEVED})


# Each count includes the one read of the record's last change (commitments.caching); the
# action grids one read of the cities' own reports.
QUERIES = [
    (GRID, 8),
    (f"{GRID}?view=principles", 6),
    (f"{GRID}?principle=2&state=MN&population=100k", 9),
]


@pytest.mark.parametrize(("url", "queries"), QUERIES)
def test_grid_queries_do_not_grow_with_the_cities(client, django_assert_num_queries, url, queries):
    for count in (2, 12):
        populate(count)
        with django_assert_num_queries(queries):
            response = client.get(url)
        assert response.status_code == 200
        assert len(ROW_CITY.findall(text(response))) == 2 + (12 if count == 12 else 0)


def test_compare_queries_do_not_grow_with_the_cities(client, django_assert_num_queries):
    for total, compared in ((2, 2), (12, 4)):
        populate(total - City.objects.count())
        cities = list(City.objects.all()[:compared])
        with django_assert_num_queries(6):
            response = client.get(compare_url(cities))
        assert response.status_code == 200
        assert text(response).count('<th scope="col"><a href="/cities/') == compared


@pytest.mark.parametrize("url", [GRID, f"{COMPARE}?cities=mn/minneapolis,ga/atlanta"])
def test_each_page_has_one_h1_a_title_a_description_and_a_canonical_url(
    client, minneapolis, atlanta, url
):
    body = text(client.get(url))
    assert body.count("<h1") == 1
    assert re.search(r"<title>[^<]+ · Pledge Tracker</title>", body)
    assert '<meta name="description" content="' in body
    path = url.split("?")[0]
    assert f'<link rel="canonical" href="http://testserver{path}">' in body


def test_the_navigation_links_the_grid(client):
    assert f'<a class="nav-link" href="{reverse("commitments:grid")}">Grid</a>' in text(
        client.get(reverse("commitments:home"))
    )


def test_a_city_name_is_escaped_on_both_pages(client, minneapolis):
    hostile = CityFactory(name="<script>alert(1)</script>", slug="hostile", state="MN")
    for url in (GRID, f"{GRID}?view=principles", compare_url([minneapolis, hostile]), COMPARE):
        body = text(client.get(url))
        assert "<script>alert(1)</script>" not in body, url
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body, url


def test_a_flood_of_cities_gets_one_message_and_four_fields(client, minneapolis):
    response = compare(client, ",".join(f"mn/x{n}" for n in range(3000)))
    assert response.status_code == 400
    body = text(response)
    assert body.count("Compare at most 4 cities at a time.") == 1
    compare_form = body.split('aria-label="The record on a past day"')[0]  # not the footer's
    assert compare_form.count('name="cities"') == 4
    assert len(body) < 200_000


def test_a_slug_with_capitals_is_found_by_its_own_link(client):
    city = CityFactory(name="Saint Paul", state="MN", slug="Saint-Paul")
    other = CityFactory(name="Duluth", state="MN")
    response = client.get(compare_url([city, other]))
    assert response.status_code == 200
    assert "Saint Paul" in text(response)
