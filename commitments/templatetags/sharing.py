"""A city page's link-preview tags (Open Graph, Twitter): its title, summary and share card."""

from django import template
from django.urls import reverse

from commitments.cards import CARD_HEIGHT, CARD_WIDTH
from commitments.story import standing_in_words

register = template.Library()


@register.inclusion_tag("commitments/_share_meta.html", takes_context=True)
def share_meta(context, city):
    """Previews need the card's absolute URL: other sites fetch it, not this one's pages."""
    card = reverse("data:city_card", args=[city.state.lower(), city.slug])
    return {
        "city": city,
        "summary": standing_in_words(city),
        "image": context["request"].build_absolute_uri(card),
        "width": CARD_WIDTH,
        "height": CARD_HEIGHT,
    }
