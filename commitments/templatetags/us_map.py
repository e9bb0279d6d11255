"""The United States map's repeated parts: grade symbols and city markers.

Tags rather than template loops: a map carries a marker per city (1,500 and more), and a
format string renders each about ten times faster than a template would.
"""

from functools import cache
from html import escape

from django import template
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from commitments.scoring import Grade

register = template.Library()

# One symbol per grade, centred on the city, so that shape tells the grade as well as colour.
SHAPES = {
    Grade.A: '<circle id="mark-A" r="6.5"/>',
    Grade.B: '<rect id="mark-B" x="-5.5" y="-5.5" width="11" height="11"/>',
    Grade.C: '<path id="mark-C" d="M0-7.5 7.5 0 0 7.5-7.5 0Z"/>',
    Grade.D: '<path id="mark-D" d="M0-7.5 7.5 6H-7.5Z"/>',
    Grade.F: '<path id="mark-F" d="M-6.5-3.5-3.5-6.5 0-3 3.5-6.5 6.5-3.5 3 0 6.5 3.5 3.5 6.5 0 3'
    '-3.5 6.5-6.5 3.5-3 0Z"/>',
    Grade.INCOMPLETE: '<circle id="mark-incomplete" r="5"/>',
}


@register.simple_tag
@cache
def map_shapes():
    """The grade symbols, once per page, for the markers and the legend to `<use>`."""
    return mark_safe(f"<defs>{''.join(SHAPES.values())}</defs>")


@register.simple_tag
def map_symbol(grade):
    """A grade's symbol on its own, for the legend (the map's `map_shapes` must be on the page)."""
    return format_html(
        '<svg class="map-symbol" viewBox="-8 -8 16 16" width="16" height="16" aria-hidden="true" '
        'focusable="false">{}/></svg>',
        mark_safe(_marker_symbol(grade)),
    )


@register.simple_tag
def map_markers(markers):
    """Each city a link to its page, named by its grade and score, drawn as its grade's symbol.

    Built with the standard library's `html.escape` (what Django's `escape` calls) on every
    text: at 1,500 markers, `format_html`'s lazy-aware escaping was a third of the home page.
    """
    return mark_safe(
        "".join(
            f'<a href="{escape(marker.url)}"><title>{escape(marker.label)}</title>'
            f'{_marker_symbol(marker.grade)} x="{marker.x:.1f}" y="{marker.y:.1f}"/></a>'
            for marker in markers
        )
    )


@cache
def _marker_symbol(grade):
    """The start of a `<use>` of a grade's symbol: the same for every city of that grade."""
    grade = escape(grade)
    return f'<use href="#mark-{grade}" class="map-marker map-marker-{grade}"'
