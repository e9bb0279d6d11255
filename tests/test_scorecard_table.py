"""The scorecard table read as a visitor compares cities: sortable headers that are plain links,
coverage, shaded principle cells, the count of results, and the grades on the home page."""

import html
import re
from datetime import date

import pytest
from django.core.paginator import Paginator
from django.db import connection
from django.urls import reverse

from cities.models import City
from commitments.filters import SORTS, SORTS_WITHOUT_FIGURES, CityFilter, sort_headers
from commitments.models import PledgeStatus
from commitments.scoring import Status
from commitments.selectors import listed_cities, pageable
from tests.factories import ApprovedPledgeFactory, CityFactory, MayorFactory, rate

pytestmark = pytest.mark.django_db


def get(client, query=""):
    response = client.get(reverse("commitments:scorecard") + query)
    assert response.status_code == 200
    return response.content.decode()


def header(content, label):
    """The <th> whose link reads `label`."""
    arrow = r"(?:<span[^>]*>[^<]*</span>)?"
    match = re.search(rf"<th [^>]*><a href=\"([^\"]*)\">{label}\b[^<]*{arrow}</a></th>", content)
    assert match, f"no sortable header {label}"
    return match.group(0), html.unescape(match.group(1))


@pytest.fixture
def cities():
    big = CityFactory(name="Bigton", state="TX", population=900_000)
    rate(big, {"1.1": Status.ACHIEVED, "1.2": Status.ACHIEVED, "1.3": Status.ACHIEVED})
    small = CityFactory(name="Smallton", state="AL", population=60_000)
    rate(small, {"2.1": Status.IN_PROGRESS})
    return big, small


def test_headers_link_to_their_sort_and_a_second_click_reverses_it():
    assert sort_headers("name")["name"] == ("-name", "ascending")
    assert sort_headers("-name")["name"] == ("name", "descending")
    assert sort_headers("name")["score"] == ("-score", None)
    assert sort_headers("-score")["score"] == ("score", "descending")
    assert sort_headers("score")["score"] == ("-score", "ascending")


def test_sortable_headers_are_links_that_keep_the_filters_and_restart_paging(client, cities):
    content = get(client, "?state=TX&page=1&sort=-score")
    score, href = header(content, "Score")
    assert 'aria-sort="descending"' in score
    assert href == "?state=TX&sort=score"
    _coverage, href = header(content, "Coverage")
    assert href == "?state=TX&sort=-coverage"


def test_coverage_sorts_by_how_many_actions_are_rated(client, cities):
    content = get(client, "?sort=-coverage")
    assert content.index("Bigton") < content.index("Smallton")
    assert "3 of 27" in content
    content = get(client, "?sort=coverage")
    assert content.index("Smallton") < content.index("Bigton")


def test_the_count_of_results_comes_before_the_table(client, cities):
    content = get(client, "?state=TX")
    assert content.index("1 city matches these filters.") < content.index("<table")
    assert "2 cities." in get(client, "?sort=-score")


def test_principle_cells_are_shaded_with_the_number_inside(client, cities):
    content = get(client, "?state=TX")
    assert '<td class="principle-cell shade-3">60</td>' in content  # 3 of 5 actions of P1
    assert '<td class="principle-cell shade-0">0</td>' in content


def test_a_row_groups_the_population_and_says_so_when_it_is_unknown(client, cities):
    CityFactory(name="Unknownton", state="TX", population=None)
    rows = {re.search(r">([A-Z][a-z]+ton)</a>", row).group(1): row
            for row in re.findall(r"<tr><th.*?</tr>", get(client, "?state=TX"))}  # fmt: skip
    assert '<td class="text-end">900,000</td>' in rows["Bigton"]
    assert '<td class="text-end">—</td>' in rows["Unknownton"]
    assert "None" not in rows["Unknownton"]


def test_the_principle_columns_are_named_in_visible_text(client, cities):
    content = get(client)
    key = content[content.index('class="principle-key') :]
    assert "<strong>P1</strong>" in key and "Ensure Police Are Accountable to the Community" in key


def test_the_state_filter_lists_states_by_name(client, cities):
    content = get(client)
    select = content[content.index('name="state"') :]
    select = select[: select.index("</select>")]
    names = re.findall(r'<option value="[A-Z]{2}">([^<]+)</option>', select)
    assert names == sorted(names)
    assert names.index("Alabama") < names.index("Alaska") < names.index("Arizona")


def test_the_filters_show_what_was_chosen_and_mark_what_was_not_understood(client, cities):
    content = get(client, "?state=NY&population=huge")
    state = content[content.index('<select name="state"') :]
    state = state[: state.index("</select>") + len("</select>")]
    assert state.startswith(
        '<select name="state" class="form-select form-select-sm" id="id_state">'
    )
    assert '\n  <option value="">Any state</option>' in state
    assert '\n  <option value="NY" selected>New York</option>' in state
    assert state.count("<option ") == 52 and state.count(" selected") == 1
    population = content[content.index('<select name="population"') :]
    population = population[: population.index(">") + 1]
    assert 'class="form-select form-select-sm is-invalid"' in population
    assert 'aria-describedby="id_population_error"' in population


def test_the_population_filter_uses_the_bands(client, cities):
    content = get(client, "?population=500k")
    assert "Bigton" in content and "Smallton" not in content


def test_the_home_page_shows_how_many_cities_have_each_grade(client):
    graded = CityFactory()
    rate(graded, {f"{number}.1": Status.ACHIEVED for number in range(1, 8)}
         | {f"{number}.2": Status.ACHIEVED for number in range(1, 8)}
         | {f"{number}.3": Status.ACHIEVED for number in range(1, 5)})  # fmt: skip
    CityFactory()  # nothing rated: incomplete
    content = client.get(reverse("commitments:home")).content.decode()
    grades = content[content.index('class="list-unstyled grade-bars"') :]
    grades = html.unescape(re.sub(r"<[^>]+>", " ", grades[: grades.index("</ul>")]))
    grades = " ".join(grades.split())
    assert "Incomplete 1 city" in grades
    assert sum(f"{grade} 1 city" in grades for grade in "ABCDF") == 1
    assert grades.count("0 cities") == 4


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="two of the indexes are PostgreSQL's alone"
)
@pytest.mark.parametrize("sort", sorted(SORTS_WITHOUT_FIGURES))
def test_a_page_of_cities_in_an_order_without_figures_is_read_from_an_index(sort, cities):
    """Its 25 cities come in an index's order, not every city sorted for them. A few test
    cities the planner would rather sort: told not to, it still must unless an index fits."""
    query = {"sort": sort}
    page = CityFilter(query, queryset=listed_cities(query)).qs[:25]
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_sort = off")
    main_query = page.explain().split("SubPlan")[0]  # not the mayor's and pledge's lookups
    assert " using city_by_" in main_query and "Sort Key" not in main_query


def pages(sort, per_page):
    """The scorecard's cities in `sort`, page by page, as its view pages them."""
    query = {"sort": sort}
    cities = CityFilter(query, queryset=listed_cities(query)).qs
    paginator = Paginator(pageable(cities, None), per_page)
    return cities, [paginator.page(number).object_list for number in paginator.page_range]


@pytest.mark.parametrize("sort", sorted(SORTS))
def test_the_pages_of_a_list_together_are_the_list_in_its_order(sort):
    for index in range(7):
        city = CityFactory(population=100_000 * (index % 3) or None)
        rate(city, {"1.1": Status.ACHIEVED} if index % 2 else {"2.1": Status.IN_PROGRESS})
    cities, paged = pages(sort, per_page=3)
    assert [city.pk for page in paged for city in page] == [city.pk for city in cities]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="reads PostgreSQL's plan")
def test_a_deep_page_looks_up_the_mayor_and_pledge_of_its_own_cities_alone():
    """Not of every city before it too, as a plain offset would (`scores.PagedByKeys`)."""
    for _ in range(16):
        MayorFactory(city=CityFactory())
    _cities, paged = pages("name", per_page=5)
    plan = paged[2].explain(analyze=True)
    lookups = re.findall(r"SubPlan \d+\n\s*->[^\n]*\bloops=(\d+)", plan)
    assert len(lookups) == 2 and set(lookups) == {"5"}, plan


def test_a_city_s_mayor_and_pledge_are_its_sitting_mayor_s():
    """A former mayor's signature is not the city's: the list shows the sitting mayor's, or
    none between two mayors."""
    city, between, other = CityFactory(), CityFactory(), CityFactory()
    for place in (city, between):
        former = MayorFactory(city=place, term_start=date(2010, 1, 1), term_end=date(2021, 12, 31))
        ApprovedPledgeFactory(mayor=former, status=PledgeStatus.SIGNED, date=date(2016, 1, 1))
    sitting = MayorFactory(city=city, name="New Mayor", term_start=date(2022, 1, 1))
    signer = MayorFactory(city=other, term_start=date(2022, 1, 1))
    ApprovedPledgeFactory(mayor=signer, status=PledgeStatus.URGED, date=date(2022, 3, 1))
    ApprovedPledgeFactory(mayor=signer, status=PledgeStatus.SIGNED, date=date(2023, 3, 1))
    listed = {c.pk: (c.mayor_name, c.pledge_status) for c in City.objects.with_scores()}
    assert listed[city.pk] == (sitting.name, PledgeStatus.NOT_ASKED)
    assert listed[between.pk] == (None, PledgeStatus.NOT_ASKED)
    assert listed[other.pk] == (signer.name, PledgeStatus.SIGNED)
