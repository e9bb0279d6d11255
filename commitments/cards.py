"""Pictures of a city's standing for other sites: the grade colours of the badge and the share
card, and the card itself, a PNG that link previews (Open Graph, Twitter) show."""

import cairosvg
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.views.decorators.cache import cache_control

from cities.models import City
from commitments.scoring import Grade

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

# The size link previews expect (1.91:1), so no site crops the card.
CARD_WIDTH, CARD_HEIGHT = 1200, 630
# The city name shrinks to fit beside the grade: about this many bold characters at full size.
NAME_FONT_SIZE, NAME_FITS_CHARACTERS = 72, 14


def name_font_size(name):
    """A long city name gets a smaller font rather than running into the grade."""
    return min(NAME_FONT_SIZE, NAME_FONT_SIZE * NAME_FITS_CHARACTERS // max(len(name), 1))


def card_summary(city):
    """What the card shows, in words: its SVG title and the link previews' alternative text."""
    grade = f", grade {city.grade}" if city.graded else " (provisional), no grade yet"
    return (
        f"{city.name}, {city.state_name}: pledge score {city.score} of 100{grade}, "
        f"rated on {city.rated_actions} of {city.total_actions} actions"
    )


def card_svg(city):
    """The card as SVG, from a template, so the city's name is escaped like on every page."""
    context = {
        "city": city,
        "summary": card_summary(city),
        "width": CARD_WIDTH,
        "height": CARD_HEIGHT,
        "grade_colour": GRADE_COLOURS[city.grade],
        "text_colour": TEXT_ON_COLOUR,
        "name_size": name_font_size(city.name),
    }
    return render_to_string("commitments/card.svg", context)


def card_png(city):
    svg = card_svg(city).encode()
    return cairosvg.svg2png(bytestring=svg, output_width=CARD_WIDTH, output_height=CARD_HEIGHT)


@cache_control(public=True, max_age=3600)
def city_card(request, state, slug):
    """The share card of a city page: its score, grade and coverage, for link previews."""
    city = get_object_or_404(City.objects.with_scores(), state=state.upper(), slug=slug)
    return HttpResponse(card_png(city), content_type="image/png")
