"""The map of where cities stand: every city placed on the United States map by its grade, and
the same figures by state for the table beside it, from one read of the scored cities."""

from collections import Counter
from dataclasses import dataclass, field

from django.db.models import F
from django.utils.translation import get_language

from cities.models import City
from cities.projection import albers_usa
from cities.states import STATES_BY_NAME
from cities.us_map import us_map
from commitments.scoring import Grade, grade_rows
from commitments.story import score_in_words
from pledge_tracker.reversing import reverser

# Legend and table order: the letter grades, best first, then the cities without one.
GRADE_ORDER = [grade for grade, _lowest, _highest in grade_rows()] + [Grade.INCOMPLETE]


# What a marker and the table need of each scored city: reading only these columns, rather
# than whole scored cities, makes the map's one query eight times faster.
FIELDS = ["name", "state", "slug", "longitude", "latitude", "grade", "score", "graded"]


@dataclass(slots=True)
class Marker:
    """A city on the map: where, which grade, and where its link goes and what it says."""

    x: float
    y: float
    grade: str
    url: str
    label: str


@dataclass
class StateRow:
    """One state's cities counted by grade, for the table that carries the map's data."""

    code: str
    name: str
    counts: Counter = field(default_factory=Counter)

    @property
    def by_grade(self):
        return [self.counts[grade] for grade in GRADE_ORDER]

    @property
    def total(self):
        return self.counts.total()


@dataclass
class CityMap:
    """The map's markers, the table's rows by state, and the legend's counts."""

    markers: list
    states: list
    counts: Counter
    unplaced: int

    @property
    def outlines(self):
        return us_map()

    @property
    def total(self):
        return self.counts.total()

    @property
    def legend(self):
        """(grade, lowest score, highest score, cities) per grade; no range without a grade."""
        ranges = {grade: (lowest, highest) for grade, lowest, highest in grade_rows()}
        return [(grade, *ranges.get(grade, (None, None)), self.counts[grade])
                for grade in GRADE_ORDER]  # fmt: skip


def place(city, reverse, language):
    """The city's marker, or None without coordinates or outside the map; `reverse` (a
    `reverser()`) and the active language are looked up once for all the markers."""
    if city["longitude"] is None or city["latitude"] is None:
        return None
    point = albers_usa(city["longitude"], city["latitude"])
    if not point:
        return None
    url = City.page_url(city["state"], city["slug"], reverse)
    score = score_in_words(city["score"], city["grade"], city["graded"], language)
    return Marker(*point, city["grade"], url, f"{city['name']}, {city['state']}: {score}")


def map_rows(scored, *more):
    """What the map reads of the scored cities (`FIELDS`, and the fields `more`), as dicts in
    the order it draws them: the largest last, on top."""
    order = F("population").asc(nulls_first=True), "name", "state"
    return scored.values(*FIELDS, *more).order_by(*order)


def city_map(cities):
    """Every city's marker and its state's counts, from the cities' `map_rows`."""
    rows = {code: StateRow(code, name) for code, name in STATES_BY_NAME}
    markers, unplaced, reverse, language = [], 0, reverser(), get_language()
    for city in cities:
        rows[city["state"]].counts[city["grade"]] += 1
        marker = place(city, reverse, language)
        if marker:
            markers.append(marker)
        else:
            unplaced += 1
    states = [row for row in rows.values() if row.total]
    counts = sum((row.counts for row in states), Counter())
    return CityMap(markers=markers, states=states, counts=counts, unplaced=unplaced)
