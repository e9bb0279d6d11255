"""Pictures of a city's standing for other sites: the grade colours of the badge and the share
card, and the card itself, a PNG that link previews (Open Graph, Twitter) show."""

import hashlib

from django.core.cache import cache
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.views.decorators.cache import cache_control

from commitments.as_of import as_of
from commitments.scores import scored_cities
from commitments.scoring import Grade
from commitments.story import standing_in_words

# Fill behind white text, one per grade: each has a contrast of at least 4.5:1 with white
# (WCAG AA for normal text; tests/test_sharing.py computes it). The letters use the colours of
# the pages' grade badges (static/css/site.css).
GRADE_COLOURS = {
    Grade.A: "#0a3622",
    Grade.B: "#146c43",
    Grade.C: "#664d03",
    Grade.D: "#842029",
    Grade.F: "#58151c",
    Grade.INCOMPLETE: "#495057",
}
BADGE_LABEL_COLOUR = "#343a40"  # behind "Pledge Tracker" on the badge
TEXT_ON_COLOUR = "#ffffff"

CARD_CACHE_SECONDS = 7 * 24 * 3600
# The size link previews expect (1.91:1), so no site crops the card.
CARD_WIDTH, CARD_HEIGHT = 1200, 630
# The city name shrinks to fit beside the grade: about this many bold characters at full size.
NAME_FONT_SIZE, NAME_FITS_CHARACTERS = 72, 14


def name_font_size(name):
    """A long city name gets a smaller font rather than running into the grade."""
    return min(NAME_FONT_SIZE, NAME_FONT_SIZE * NAME_FITS_CHARACTERS // max(len(name), 1))


def card_svg(city):
    """The card as SVG, from a template, so the city's name is escaped like on every page."""
    context = {
        "city": city,
        "summary": standing_in_words(city),
        "width": CARD_WIDTH,
        "height": CARD_HEIGHT,
        "grade_colour": GRADE_COLOURS[city.grade],
        "text_colour": TEXT_ON_COLOUR,
        "name_size": name_font_size(city.name),
    }
    return render_to_string("commitments/card.svg", context)


def card_png(svg):
    """The card drawn as a PNG, remembered by its SVG: cards change only with what they show,
    while the page cache is dropped by any change to the record, and drawing one takes 0.1 s."""
    key = f"city-card:{hashlib.sha256(svg.encode()).hexdigest()}"
    png = cache.get(key)
    if png is None:
        # Imported here: CairoSVG loads the system's cairo library (Debian's libcairo2), which
        # only the card needs, so a machine without it still serves every other page.
        import cairosvg

        png = cairosvg.svg2png(
            bytestring=svg.encode(), output_width=CARD_WIDTH, output_height=CARD_HEIGHT
        )
        cache.set(key, png, CARD_CACHE_SECONDS)
    return png


@cache_control(public=True, max_age=3600)
def city_card(request, state, slug):
    """The share card of a city page: its score, grade and coverage, for link previews."""
    city = get_object_or_404(scored_cities(as_of(request)), state=state.upper(), slug=slug)
    return HttpResponse(card_png(card_svg(city)), content_type="image/png")
