"""Labels, badges, evidence lists and a city page's long tables, for stored values in words.

These are tags rather than included templates or loops: a scorecard page shows a hundred badges,
a city page up to 37 evidence lists and tables of a hundred rows, and an `{% include %}` costs
about ten times as much to render. Labels and days, which recur on every page whatever its
records, are made once in each language (`per_language`).
"""

from functools import lru_cache, wraps

from django import template
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from commitments.models import EvidenceKind, PledgeStatus
from commitments.scoring import FLAGGED, NO_INFORMATION, Grade, Status
from commitments.story import standing_in_words

register = template.Library()


def per_language(function):
    """`function` with its result kept for each set of arguments and active language, for results
    that depend on nothing else (in that language's words), shown dozens of times a page."""
    remembered = lru_cache(maxsize=4096)(lambda _language, *args: function(*args))

    @wraps(function)
    def in_active_language(*args):
        return remembered(get_language(), *args)

    return in_active_language


@register.filter
def status_label(status):
    """A status in words; no status is "No information"."""
    return Status(status).label if status else NO_INFORMATION


@register.filter
def pledge_label(pledge_status):
    """A pledge status in words; no approved record is "Not asked"."""
    return PledgeStatus(pledge_status or PledgeStatus.NOT_ASKED).label


@register.filter
def evidence_kind_label(kind):
    """Like `get_kind_display`, without the dict of every label it builds on each call."""
    return EvidenceKind(kind).label


@register.filter
@per_language
def day(value, format_name):
    """`value|date:format_name` for a date (not a datetime, whose words depend on the time zone):
    a city page formats a few hundred days."""
    return date_format(value, format_name) if value else ""


@register.filter
def in_words(city):
    """A scored city's standing in one sentence (`story.standing_in_words`)."""
    return standing_in_words(city)


@register.filter
def grade_label(grade):
    return Grade(grade).label


@register.simple_tag
@per_language
def status_badge(status):
    """A status as a badge; a reversed one carries a warning sign besides its colour."""
    flag = mark_safe(' <span aria-hidden="true">⚠</span>') if status in FLAGGED else ""
    return format_html(
        '<span class="status status-{}">{}{}</span>', status or "none", status_label(status), flag
    )


@register.simple_tag
def pledge_badge(pledge_status):
    return format_html(
        '<span class="pledge pledge-{}">{}</span>',
        pledge_status or PledgeStatus.NOT_ASKED,
        pledge_label(pledge_status),
    )


@register.simple_tag
def grade_badge(grade):
    if grade == Grade.INCOMPLETE:
        title = _("No grade: too few actions rated")
    else:
        title = _("Grade %(grade)s") % {"grade": grade}
    return format_html(
        '<span class="grade grade-{}" title="{}">{}</span>', grade, title, grade_label(grade)
    )


@register.simple_tag
def evidence_list(evidence):
    """An update's sources: title linked, publisher, date and kind; nothing if it has none."""
    items = "".join(
        _evidence_item(item.url, item.title, item.publisher, item.published_on, item.kind)
        for item in evidence
    )
    if not items:
        return ""
    return format_html('<ul class="list-unstyled small mb-0">{}</ul>', mark_safe(items))


def _evidence_item(url, title, publisher, published_on, kind):
    return format_html(
        '<li><a href="{}" rel="noopener noreferrer" target="_blank">{}</a> — {}, '
        '<time datetime="{}">{}</time> <span class="text-body-secondary">({})</span></li>',
        url, title, publisher, published_on.isoformat(), day(published_on, "SHORT_DATE_FORMAT"),
        evidence_kind_label(kind),
    )  # fmt: skip


@register.simple_tag
def score_change_rows(months):
    """The rows of a city's table of score changes (`history.history_changes`): one for each
    month in which its score changed, a hundred and more on a long record."""
    return mark_safe("".join(_score_change_row(m.month, m.score, m.rated) for m in months))


def _score_change_row(month, score, rated):
    return format_html(
        '<tr><th scope="row" class="fw-normal"><time datetime="{}">{}</time></th>'
        '<td class="text-end">{}</td><td class="text-end">{}</td></tr>',
        day(month, "Y-m"), day(month, "YEAR_MONTH_FORMAT"), score, rated,
    )  # fmt: skip


@register.simple_tag
def killing_rows(years):
    """The rows of a city's table of people killed by police: each year's total and its counts
    by race, from (year row, counts) pairs."""
    return format_html_join(
        "",
        '<tr><th scope="row">{}</th><td class="text-end fw-bold">{}</td>{}</tr>',
        (
            (row.year, row.total, format_html_join("", '<td class="text-end">{}</td>', zip(counts)))
            for row, counts in years
        ),
    )


@register.simple_tag
def bar(percent, kind=""):
    """A bar `percent` of its row wide, in SVG; the number beside it carries the value."""
    return format_html(
        '<svg class="bar {}" viewBox="0 0 100 10" preserveAspectRatio="none" aria-hidden="true" '
        'focusable="false"><rect class="bar-track" width="100" height="10"/>'
        '<rect class="bar-fill" width="{}" height="10"/></svg>',
        kind,
        percent,
    )
