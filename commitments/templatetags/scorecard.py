"""Labels, badges, evidence and update lists and a city page's long tables, for stored values
in words.

These are tags rather than included templates or loops: a scorecard page shows a hundred badges,
a city page up to 37 evidence lists and tables of a hundred rows, and an `{% include %}` costs
about ten times as much to render. Labels and days, which recur on every page whatever its
records, are made once in each language (`per_language`).
"""

from functools import lru_cache, wraps
from html import escape

from django import template
from django.template.loader import render_to_string
from django.utils.formats import date_format, localize
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.timezone import localtime
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
    """An update's sources: title linked, publisher, date and kind; nothing if it has none.

    Built with `html.escape`, as `update_items` is: the log shows a hundred and more sources."""
    items = "".join(
        _evidence_item(item.url, item.title, item.publisher, item.published_on, item.kind)
        for item in evidence
    )
    if not items:
        return ""
    return mark_safe(f'<ul class="list-unstyled small mb-0">{items}</ul>')


def _evidence_item(url, title, publisher, published_on, kind):
    return (
        f'<li><a href="{escape(url)}" rel="noopener noreferrer" target="_blank">{escape(title)}'
        f'</a> — {escape(publisher)}, {_time(published_on)} <span class="text-body-secondary">'
        f"({_kind_label(kind)})</span></li>"
    )


@per_language
def _kind_label(kind):
    return escape(str(evidence_kind_label(kind)))


@register.simple_tag
def update_items(updates, in_log=False, show_city=False, by_happened=False):
    """Approved updates as list items: each one's day, city (`show_city`), action, summary and
    evidence; in the public log (`in_log`) also its change to the city's rating and the days it
    happened and was published, headed by the day published unless `by_happened`.

    One tag for the whole list, built with the standard library's `html.escape` (what Django's
    `escape` calls): as a template loop, the log's fifty updates took a quarter of its page.
    """
    by_published = in_log and not by_happened
    return mark_safe("".join(_update_item(u, in_log, show_city, by_published) for u in updates))


def _update_item(update, in_log, show_city, by_published):
    happened = update.happened_on
    # The day it was published in the current time zone, as the `date` filter shows a datetime.
    published = localtime(update.reviewed_at).date() if in_log else None
    shown = published if by_published else happened
    heading = _time(shown)
    if show_city:
        city = update.city
        heading += f' · <a href="{escape(city.get_absolute_url())}">{escape(str(city))}</a>'
    action = update.action
    heading += (
        f' · <a href="{escape(action.principle.get_absolute_url())}">'
        f"{escape(action.code)} {escape(action.title)}</a>"
    )
    if not in_log:
        heading += f" · {status_badge(update.status)}"
    lines = [f'<p class="mb-1">{heading}</p>']
    if in_log:
        lines.append(f'<p class="mb-1">{_rating_change(update.rating_change, update.status)}</p>')
    lines.append(f'<p class="mb-1">{escape(update.summary)}</p>')
    if in_log:
        days = {"happened": _short_day(happened), "published": _short_day(published)}
        # Translated outside the f-string, where makemessages finds it.
        when = _("Happened on %(happened)s; published on %(published)s.") % days
        lines.append(f'<p class="mb-1 small text-body-secondary">{when}</p>')
    lines.append(evidence_list(update.public_evidence))
    body = "\n  ".join(lines)
    return f'<li class="list-group-item" id="update-{update.pk}">\n  {body}\n</li>\n'


@register.simple_tag
def change_items(changes):
    """What changed in a city (`changes.CityChanges.changes`): each action's status before and
    after, when its update happened and was approved, its summary and its evidence; one tag, as
    `update_items` is, for a page of cities' changes."""
    return mark_safe("".join(_change_item(old, new) for old, new in changes))


def _change_item(old_status, new):
    action = new.action
    statuses = f"{status_badge(old_status)} → {status_badge(new.status)}"
    approved = localtime(new.reviewed_at).date()
    # The template's sentence, translated outside the f-string, where makemessages finds it.
    when = _(
        'Happened <time datetime="%(happened_iso)s">%(happened)s</time>, approved <time '
        'datetime="%(approved_iso)s">%(approved)s</time>: %(summary)s'
    ) % {
        "happened_iso": new.happened_on.isoformat(),
        "happened": _short_day(new.happened_on),
        "approved_iso": approved.isoformat(),
        "approved": _short_day(approved),
        "summary": escape(new.summary),
    }
    return (
        f'<li class="list-group-item">\n  <p class="mb-1"><strong>{escape(action.code)} '
        f"{escape(action.title)}</strong>: {statuses}</p>\n"
        f'  <p class="mb-1 small">{when}</p>\n  {evidence_list(new.public_evidence)}\n</li>'
    )


def _rating_change(change, status):
    """What an update did to its city's rating (`selectors.RatingChange`), in a sentence."""
    after = status_badge(status)
    if not change.current:
        return _(
            "Reported as %(after)s: no change to the city's score, because an update on a "
            "later step had already been approved."
        ) % {"after": after}
    statuses = {"before": status_badge(change.status_before), "after": after}
    if change.score_change:
        points = escape(change.signed_points)
        return _("From %(before)s to %(after)s: %(points)s points on the city's score.") % {
            **statuses,
            "points": points,
        }
    return _("From %(before)s to %(after)s: no change to the city's score.") % statuses


def _short_day(value):
    return escape(day(value, "SHORT_DATE_FORMAT"))


def _time(value):
    """A day in its short format, as a <time> element that carries it in ISO form."""
    return f'<time datetime="{value.isoformat()}">{_short_day(value)}</time>'


@register.simple_tag
def action_rows(rows):
    """The rows of a principle's table on a city page (`selectors.ActionRow`): each action, its
    status (and the city's own report, if any), what last happened and its evidence. One tag
    for a city page's 27 rows, as `update_items` is for a list of updates."""
    labels = _action_row_labels()
    return mark_safe("".join(_action_row(row, *labels) for row in rows))


@per_language
def _action_row_labels():
    """The column labels each cell carries (`data-label`, shown where a phone stacks the table as
    cards) and the words for an action with no update; the template's, translated once."""
    labels = _("Status"), _("What happened"), _("Evidence"), _("Nothing recorded yet.")
    return tuple(escape(str(label)) for label in labels)


def _action_row(row, status_label, happened_label, evidence_label, nothing_yet):
    action, current = row.action, row.current
    status = status_badge(row.status)
    if row.report:
        context = {"report": row.report, "differs": row.report_differs}
        status += render_to_string("commitments/_city_report.html", context)
    if current:
        update = current.update
        happened = f"{_time(update.happened_on)}: {escape(update.summary)}"
        evidence = evidence_list(update.public_evidence)
    else:
        happened, evidence = f'<span class="text-body-secondary">{nothing_yet}</span>', ""
    return (
        f'<tr id="{escape(action.anchor)}" role="row">\n'
        f'  <th scope="row" class="fw-normal" role="rowheader"><span class="text-body-secondary">'
        f"{escape(action.code)}</span> {escape(action.title)}</th>\n"
        f'  <td role="cell" data-label="{status_label}">{status}</td>\n'
        f'  <td role="cell" data-label="{happened_label}">{happened}</td>\n'
        f'  <td role="cell" data-label="{evidence_label}">{evidence}</td>\n</tr>\n'
    )


@register.simple_tag
def gain_items(gains):
    """What would raise a city's score (`story.Gain`), as list items: each action not yet
    achieved, the points achieving it would add, the score and grade it would make, and when it
    counts as achieved. One tag, for the twenty-odd a city may have."""
    items = "".join(_gain_item(gain) for gain in gains)
    return mark_safe(f'<ol class="list-unstyled gains">\n{items}</ol>')


def _gain_item(gain):
    action = gain.row.action
    points = _("<strong>+%(points)s</strong> points: %(code)s %(title)s") % {
        "points": localize(gain.points_shown),
        "code": escape(action.code),
        "title": escape(action.title),
    }
    now_and_then = {"status": status_badge(gain.row.status), "score": gain.score}
    if gain.graded:
        outcome = _(
            "(now %(status)s; achieving it would make the score %(score)s, grade %(grade)s)"
        ) % {**now_and_then, "grade": gain.grade}
    else:
        outcome = _("(now %(status)s; achieving it would make the score %(score)s)") % now_and_then
    condition = _("Achieved when: %(condition)s") % {"condition": escape(action.achieved_when)}
    return (
        f'<li><a href="#{escape(action.anchor)}">{points}</a> '
        f'<span class="small text-body-secondary">{outcome}</span>\n'
        f'    <div class="small">{condition}</div></li>\n'
    )


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
