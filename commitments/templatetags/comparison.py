"""Symbols, shades and table rows for pages that show many cities at once (grid, comparison,
scorecard, a principle's ranking).

A status is a shape, not only a colour: the symbols fill up with the points a status earns, and
each carries its name for screen readers. A score is shaded on a five-step scale, the number
always written inside.

The long tables' rows are one tag per table body, built with the standard library's
`html.escape` (what Django's `escape` calls) on every stored text. An integer is written as its
digits, as `{{ }}` writes it (no thousands separator is configured); `intcomma` groups by language.
"""

from functools import cache, lru_cache
from html import escape

from django import template
from django.contrib.humanize.templatetags.humanize import intcomma
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from cities.models import City
from commitments.comparison import compare_url as comparison_url
from commitments.scoring import MAX_POINTS, Status
from commitments.templatetags.scorecard import day, grade_badge, pledge_badge, status_label
from pledge_tracker.reversing import reverser

register = template.Library()

STATUS_SYMBOLS = {
    Status.ACHIEVED: "●",
    Status.PARTIALLY_ACHIEVED: "◐",
    Status.IN_PROGRESS: "◔",
    Status.NOT_STARTED: "○",
    Status.REVERSED: "✕",
    None: "·",  # no information
}
# The statuses in the order a legend lists them: most done first.
LEGEND = list(STATUS_SYMBOLS)
SHADES = 5


@register.simple_tag
def status_symbol(status, named=False):
    """A status's symbol with its name: hidden but read aloud, or shown beside it (`named`)."""
    return _symbol(status or None, named, get_language())


@lru_cache(maxsize=64)
def _symbol(status, named, language):
    # A grid page shows 1,350 symbols of six kinds: each kind is rendered once per language.
    return format_html(
        '<span class="symbol symbol-{}" aria-hidden="true">{}</span><span class="{}">{}</span>',
        status or "none",
        STATUS_SYMBOLS[status],
        "symbol-name" if named else "visually-hidden",
        status_label(status),
    )


def grid_rows(rows, cell_html):
    """The grid's table rows: each city linked to its page, its grade, then its cells as
    `cell_html` writes them.

    One tag for the whole table, built with the standard library's `html.escape` (what
    Django's `escape` calls): at 1,350 cells a page, a template loop and `format_html`'s
    lazy-aware escaping were a third of the grid's time.
    """
    badge = cache(grade_badge)  # six grades: each badge rendered once a table
    return mark_safe(
        "\n".join(
            f'<tr><th scope="row">{city_link(row.city, row.href)}</th>'
            f"<td>{badge(row.city.grade)}</td>"
            f"{''.join(map(cell_html, row.cells))}</tr>"
            for row in rows
        )
    )


@register.simple_tag
def status_rows(rows):
    """The grid's rows of statuses, each cell linked to its evidence and marked where the city
    reports its own account."""
    language = get_language()

    def cell_html(cell):
        symbol = _symbol(cell.status or None, False, language)
        return f'<td><a href="{escape(cell.href)}">{symbol}{city_mark(cell)}</a></td>'

    return grid_rows(rows, cell_html)


# The mark of a cell whose city reports the same status as the rating, or another.
CITY_MARKS = {False: "*", True: "≠"}


def city_mark(cell):
    """What the city reports on a cell's action, if anything: a mark, and in words."""
    if cell.report is None:
        return ""
    return _city_mark(cell.report.status, cell.report_differs, get_language())


@lru_cache(maxsize=64)
def _city_mark(reported, differs, language):
    words = (
        _("The city reports: %(status)s (differs from the rating)")
        if differs
        else _("The city reports: %(status)s")
    ) % {"status": status_label(reported)}
    return format_html(
        '<span class="city-mark city-mark-{}" aria-hidden="true" title="{}">{}</span>'
        '<span class="visually-hidden">; {}</span>',
        "differs" if differs else "agrees",
        words,
        CITY_MARKS[differs],
        words,
    )


@register.simple_tag
def city_mark_legend():
    """The legend's entries for the marks of the cities' own reports."""
    names = {
        False: _("The city reports the same status"),
        True: _("The city reports another status"),
    }
    return format_html_join(
        "",
        '<li class="list-inline-item"><span class="city-mark city-mark-{}" aria-hidden="true">'
        '{}</span><span class="symbol-name">{}</span></li>',
        (("differs" if differs else "agrees", mark, names[differs])
         for differs, mark in CITY_MARKS.items()),
    )  # fmt: skip


@register.simple_tag
def differs_mark():
    """The mark of a compared row whose cities differ: in words as well as by its tint."""
    return format_html(
        '<span class="differs-mark"><span aria-hidden="true">≠ </span>{}</span>', _("differs")
    )


@register.filter
def shade(score):
    """The step of the shading scale a 0–100 score falls in, from 0 to SHADES - 1."""
    return min(score * SHADES // MAX_POINTS, SHADES - 1)


@register.simple_tag
def score_rows(rows):
    """The grid's rows of principle scores, each cell shaded and linked to its principle on the
    city page."""

    def cell_html(cell):
        return (
            f'<td class="shade-{shade(cell.score)}"><a href="{escape(cell.href)}">'
            f"{cell.score}</a></td>"
        )

    return grid_rows(rows, cell_html)


def score_html(score, graded):
    """A scored city's score as every list shows it: the number, "provisional" without a grade."""
    number = f'<span class="fw-bold">{score}</span>'
    if graded:
        return number
    # Escaped as `{% translate %}` escapes, outside the f-string, where makemessages finds it.
    provisional = escape(_("provisional"))
    return f'{number} <span class="small text-body-secondary">{provisional}</span>'


@register.simple_tag
def city_score(city):
    """`score_html` of a city, for `_score.html`: the same words as the tables' rows."""
    return mark_safe(score_html(city.score, city.graded))


def city_link(city, href):
    """A city's name linked to `href` (its page), then its state, as every table starts a row."""
    return f'<a href="{escape(href)}">{escape(city.name)}</a>, {escape(city.state)}'


def city_page_link(city, reverse):
    """`city_link` to the city's page; `reverse`, a `reverser()`."""
    return city_link(city, City.page_url(city.state, city.slug, reverse))


def rated_of_total(city, words):
    """How many of its actions a city is rated on, in `words`: "%(rated)s of %(total)s"."""
    return words % {"rated": city.rated_actions, "total": city.total_actions}


def population(people):
    """A city's population, grouped as its language writes numbers; "—" when unknown."""
    return "—" if people is None else escape(intcomma(people))


def last_update(updated):
    """The month of a city's last update, "—" without one."""
    if not updated:
        return "—"
    return f'<time datetime="{updated.isoformat()}">{escape(day(updated, "M Y"))}</time>'


def principle_cells(principle_scores):
    """A city's score on each principle, shaded (`principle_scores`, as `scores` stores them)."""
    return "".join(
        f'<td class="principle-cell shade-{shade(score)}">{score}</td>'
        for score in (principle["score"] for principle in principle_scores)
    )


@register.simple_tag
def scorecard_rows(cities):
    """The scorecard's rows: each city linked to its page, its score, grade and coverage, its
    shaded principle scores, its mayor, pledge, population and the month of its last update.

    As a template loop, fifty rows of an include, two badges, a translation and two dozen
    values each were half of the page's time.
    """
    reverse, grade, pledge = reverser(), cache(grade_badge), cache(pledge_badge)
    of_total = _("%(rated)s of %(total)s")

    def row(city):
        return (
            f'<tr><th scope="row" class="sticky-column">{city_page_link(city, reverse)}</th>'
            f'<td class="text-end">{score_html(city.score, city.graded)}</td>'
            f"<td>{grade(city.grade)}</td>"
            f'<td class="text-end text-nowrap">{rated_of_total(city, of_total)}</td>'
            f"{principle_cells(city.principle_scores)}"
            f"<td>{escape(city.mayor_name or '—')}</td><td>{pledge(city.pledge_status)}</td>"
            f'<td class="text-end">{population(city.population)}</td>'
            f'<td class="text-nowrap">{last_update(city.last_updated)}</td></tr>'
        )

    return mark_safe("\n".join(map(row, cities)))


@register.simple_tag
def ranking_rows(cities):
    """A principle's ranking: each city's rank, its link, its score on the principle, its
    overall score, grade and coverage."""
    reverse, grade = reverser(), cache(grade_badge)
    of_total = _("%(rated)s of %(total)s")
    return mark_safe(
        "\n".join(
            f'<tr><td>{city.rank}</td><th scope="row">{city_page_link(city, reverse)}</th>'
            f'<td class="text-end fw-bold">{city.principle_score}</td>'
            f'<td class="text-end">{score_html(city.score, city.graded)}</td>'
            f"<td>{grade(city.grade)}</td>"
            f'<td class="text-end">{rated_of_total(city, of_total)}</td></tr>'
            for city in cities
        )
    )


@register.simple_tag
def status_legend():
    """Every status, most done first, for a legend of the symbols."""
    return LEGEND


@register.simple_tag
def shade_steps():
    """The shading scale, for its legend: (step, lowest score, highest score) of each step."""
    lowest = [step * MAX_POINTS // SHADES for step in range(SHADES)]
    highest = [score - 1 for score in lowest[1:]] + [MAX_POINTS]
    return list(zip(range(SHADES), lowest, highest, strict=True))


@register.simple_tag
def compare_url(*cities):
    """The comparison of these cities; one city gives the form, filled in with it."""
    return comparison_url(cities)
