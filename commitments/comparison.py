"""Cities side by side: the grid of cities against the actions, and the comparison of a few.

Both read scores from the scored cities (`scores.scored_cities`) and statuses from their ratings
(`models.ratings`) in one query for every city shown (the grid the cities' own reports in one
more), so their pages run a fixed number of queries, today or as of a past day.
"""

import re
from dataclasses import dataclass
from itertools import islice

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _

from cities.models import City
from commitments.models import Action, CityReport, Principle, ratings
from commitments.selectors import latest_city_reports, report_differs

MIN_COMPARED = 2
MAX_COMPARED = 4
# How a compared city is written: its state code and slug, as in its address.
CITY_KEY = re.compile(r"\A([a-zA-Z]{2})/([-a-zA-Z0-9_]+)\Z")
EXAMPLE_KEY = "mn/minneapolis"


def city_key(city):
    return f"{city.state.lower()}/{city.slug}"


def compare_url(cities):
    """The comparison of these cities (one city gives the form, filled in with it)."""
    return f"{reverse('commitments:compare')}?cities={','.join(map(city_key, cities))}"


def statuses_of(cities, day=None):
    """{(city id, action id): status} of the cities' current statuses (or those at the end of
    `day`), in one query."""
    rows = ratings(day).filter(city_id__in=[city.pk for city in cities])
    return {
        (city_id, action_id): status
        for city_id, action_id, status in rows.values_list("city_id", "action_id", "status")
    }


def scores_by_number(city):
    return {score["number"]: score for score in city.principle_scores}


# The grid


@dataclass
class GridCell:
    href: str
    status: str | None = None
    score: int | None = None
    report: CityReport | None = None  # the city's own latest account, which never scores

    @property
    def report_differs(self):
        return report_differs(self.report, self.status)


@dataclass
class GridRow:
    city: City
    href: str
    cells: list[GridCell]


def action_grid(cities, actions, day=None):
    """A row per city, a cell per action: its status and the city's own report on it (as of
    `day`), linked to the evidence on the city page."""
    statuses, reports = statuses_of(cities, day), latest_city_reports(cities, day)
    anchors = [(action.pk, action.anchor) for action in actions]
    rows = []
    for city in cities:
        href = city.get_absolute_url()
        cells = [
            GridCell(f"{href}#{anchor}", status=statuses.get((city.pk, action_id)),
                     report=reports.get((city.pk, action_id)))
            for action_id, anchor in anchors
        ]  # fmt: skip
        rows.append(GridRow(city, href, cells))
    return rows


def principle_grid(cities, principles):
    """A row per city, a cell per principle: its score, linked to that section of the city page."""
    rows = []
    for city in cities:
        href = city.get_absolute_url()
        scores = scores_by_number(city)
        cells = [
            GridCell(f"{href}#{principle.anchor}",
                     score=scores[principle.number]["score"])
            for principle in principles
        ]  # fmt: skip
        rows.append(GridRow(city, href, cells))
    return rows


# The comparison


def split_entries(values):
    """The cities asked for as typed: each value may hold several, comma-separated. Reading
    stops after one too many, which is enough to say there are too many."""
    entries = (entry.strip().strip("/") for value in values for entry in value.split(","))
    return list(islice((entry for entry in entries if entry), MAX_COMPARED + 1))


def parse_city_keys(entries):
    """The entries as (state, slug) pairs, in order without repeats, and those that are not
    written as a city key."""
    keys, malformed = [], []
    for entry in entries:
        match = CITY_KEY.match(entry)
        if match is None:
            malformed.append(entry)
        elif (key := (match[1].lower(), match[2])) not in keys:
            keys.append(key)
    return keys, malformed


def find_cities(scored, keys):
    """The scored cities with these keys, in the order asked, and the keys that match none."""
    condition = Q(pk__in=[])
    for state, slug in keys:
        condition |= Q(state=state.upper(), slug=slug)
    found = {(city.state.lower(), city.slug): city for city in scored.filter(condition)}
    return [found[key] for key in keys if key in found], [key for key in keys if key not in found]


def differ(values):
    return len(set(values)) > 1


@dataclass
class ComparedAction:
    action: Action
    cells: list[GridCell]

    @property
    def differs(self):
        return differ(cell.status for cell in self.cells)


@dataclass
class ComparedPrinciple:
    principle: Principle
    cells: list[GridCell]
    actions: list[ComparedAction]

    @property
    def differs(self):
        return differ(cell.score for cell in self.cells)


@dataclass
class Comparison:
    cities: list[City]
    principles: list[ComparedPrinciple]

    @property
    def names(self):
        """The cities' names, as a title lists them: "Boston, Chicago"."""
        return ", ".join(city.name for city in self.cities)

    @property
    def names_and_states(self):
        """The cities with their states, as a caption lists them: "Boston, MA; Chicago, IL"."""
        return "; ".join(f"{city.name}, {city.state}" for city in self.cities)

    @property
    def score_differs(self):
        return differ(city.score for city in self.cities)

    @property
    def grade_differs(self):
        return differ(city.grade for city in self.cities)

    @property
    def coverage_differs(self):
        return differ(city.rated_actions for city in self.cities)

    @property
    def differing_actions(self):
        return sum(action.differs for principle in self.principles for action in principle.actions)


def compare(cities, principles, day=None):
    """Scored cities side by side on every principle (from `framework()`) and action, with
    their statuses as of `day`."""
    statuses = statuses_of(cities, day)
    hrefs = [city.get_absolute_url() for city in cities]
    scores = [scores_by_number(city) for city in cities]

    def action_cells(action):
        anchor = action.anchor
        return [
            GridCell(f"{href}#{anchor}", status=statuses.get((city.pk, action.pk)))
            for city, href in zip(cities, hrefs, strict=True)
        ]

    def principle_cells(principle):
        anchor = principle.anchor
        return [
            GridCell(f"{href}#{anchor}", score=city_scores[principle.number]["score"])
            for href, city_scores in zip(hrefs, scores, strict=True)
        ]

    compared = []
    for principle in principles:
        actions = [
            ComparedAction(action, action_cells(action)) for action in principle.actions.all()
        ]
        compared.append(ComparedPrinciple(principle, principle_cells(principle), actions))
    return Comparison(cities, compared)


def chosen_cities(entries, scored):
    """The scored cities the entries name, and what is wrong with them, in words.

    Nothing is looked up unless every entry is well formed and there are not too many.
    """
    keys, malformed = parse_city_keys(entries)
    problems = [
        _(
            "“%(entry)s” is not written as a city: give its state code and the name in its "
            "address, for example %(example)s."
        )
        % {"entry": entry, "example": EXAMPLE_KEY}
        for entry in malformed
    ]
    if len(keys) > MAX_COMPARED:
        problems.append(_("Compare at most %(most)s cities at a time.") % {"most": MAX_COMPARED})
    if problems or not keys:
        return [], problems
    cities, unknown = find_cities(scored, keys)
    problems += [
        _("No city is tracked at “%(key)s”.") % {"key": f"{state}/{slug}"}
        for state, slug in unknown
    ]
    return cities, problems


def city_choices():
    """Every tracked city's key and name, for the form's suggestions."""
    cities = City.objects.order_by("name", "state").values_list("state", "slug", "name")
    return [(f"{state.lower()}/{slug}", f"{name}, {state}") for state, slug, name in cities]
