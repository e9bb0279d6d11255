"""Labels, badges and evidence lists for stored values that pages show in words.

These are tags rather than included templates: a scorecard page shows a hundred badges, a city
page up to 37 evidence lists, and an `{% include %}` costs about ten times as much to render.
"""

from django import template
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from commitments.models import EvidenceKind, PledgeStatus
from commitments.scoring import FLAGGED, NO_INFORMATION, Grade, Status
from commitments.story import standing_in_words

register = template.Library()


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
def in_words(city):
    """A scored city's standing in one sentence (`story.standing_in_words`)."""
    return standing_in_words(city)


@register.filter
def grade_label(grade):
    return Grade(grade).label


@register.simple_tag
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
    items = format_html_join(
        "",
        '<li><a href="{}" rel="noopener noreferrer" target="_blank">{}</a> — {}, '
        '<time datetime="{}">{}</time> <span class="text-body-secondary">({})</span></li>',
        (
            (item.url, item.title, item.publisher, item.published_on.isoformat(),
             date_format(item.published_on, "SHORT_DATE_FORMAT"), evidence_kind_label(item.kind))
            for item in evidence
        ),
    )  # fmt: skip
    return format_html('<ul class="list-unstyled small mb-0">{}</ul>', items) if items else ""


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
