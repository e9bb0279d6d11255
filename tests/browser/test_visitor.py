"""A visitor in Chromium: filters and sorts the scorecard and opens a city, compares two cities,
and follows a marker on the map."""

import re

import pytest
from django.urls import reverse

from tests.browser.conftest import DESKTOP, PHONE
from tests.browser.records import rated_cities

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


CHOOSE_CITIES_TO_COMPARE = re.compile(
    r"^(Compare Minneapolis with other cities|choose cities to compare)$"
)


def column(page, heading):
    """The text of each body row's cell under the column whose header starts with `heading`."""
    headers = [text.strip() for text in page.locator("table thead th").all_inner_texts()]
    index = next(i for i, text in enumerate(headers) if text.startswith(heading))
    rows = page.locator("table tbody tr").all()
    return [row.locator("th, td").nth(index).inner_text().strip() for row in rows]


def shown_scores(page):
    """(graded, score) of each row, as the Score column shows them."""
    cells = column(page, "Score")
    return [("provisional" not in cell, int(re.match(r"\d+", cell)[0])) for cell in cells]


def sort_by_score(page):
    """Sort highest first by the Score column's header link, or by the form where there is
    none."""
    header_link = page.locator("table thead a[href*='sort=-score']")
    if header_link.count():
        header_link.click()
    else:
        page.get_by_label("Sort by").select_option(label="Score (highest first)")
        page.get_by_role("button", name="Apply").click()
    page.wait_for_url(re.compile(r"sort=-score"))


@pytest.mark.parametrize("width", [DESKTOP, PHONE])
def test_visitor_filters_and_sorts_the_scorecard_then_opens_a_city(open_tab, width):
    rated_cities()
    tab = open_tab(width)
    page = tab.page
    page.goto(reverse("commitments:scorecard"))
    page.get_by_label("State").select_option(label="California")
    page.get_by_role("button", name="Apply").click()
    page.wait_for_url(re.compile(r"state=CA"))
    sort_by_score(page)

    assert "state=CA" in page.url
    cities = column(page, "City")
    assert cities == ["Los Angeles, CA", "San Diego, CA", "Oakland, CA"]
    scores = shown_scores(page)
    assert scores == sorted(scores, reverse=True) and len(set(scores)) == 3

    page.get_by_role("link", name="San Diego", exact=True).click()
    assert page.get_by_role("heading", level=1).inner_text() == "San Diego, California"
    assert page.locator(".score-big").inner_text() == str(scores[1][1])
    assert tab.offsite == [] and tab.console_errors == []


def test_visitor_compares_two_cities_from_a_city_page(open_tab):
    cities = rated_cities()
    tab = open_tab(PHONE)
    page = tab.page
    page.goto(cities["Minneapolis"].get_absolute_url())
    minneapolis_score = page.locator(".score-big").inner_text()
    # "Compare with other cities", or beside a comparison with its peers "choose cities".
    page.get_by_role("link", name=CHOOSE_CITIES_TO_COMPARE).click()
    page.get_by_label("City 2").fill("ga/atlanta")
    page.get_by_role("button", name="Compare").click()

    page.wait_for_url(re.compile(r"cities=ga%2Fatlanta|cities=ga/atlanta"))
    table = page.locator("table")
    assert table.locator("thead th").all_inner_texts()[1:] == ["Minneapolis, MN", "Atlanta, GA"]
    score_row = table.get_by_role("row").filter(has=page.get_by_role("rowheader", name="Score"))
    first_score = score_row.locator("td").first.inner_text()
    assert first_score.startswith(minneapolis_score)
    assert tab.offsite == [] and tab.console_errors == []


def test_visitor_follows_a_marker_on_the_map(open_tab):
    cities = rated_cities()
    tab = open_tab(DESKTOP)
    page = tab.page
    page.goto(reverse("commitments:map"))
    markers = page.locator("svg").get_by_role("link")
    assert markers.count() == len(cities)
    page.locator("svg").get_by_role("link", name=re.compile("^Atlanta")).click()

    page.wait_for_url(f"**{cities['Atlanta'].get_absolute_url()}")
    assert page.get_by_role("heading", level=1).inner_text() == "Atlanta, Georgia"
    assert tab.offsite == [] and tab.console_errors == []
