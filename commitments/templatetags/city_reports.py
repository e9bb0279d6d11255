"""The city's own account on its page: whether a verified official speaks for it."""

from django import template

from commitments.city_reports import has_verified_official

register = template.Library()


@register.simple_tag
def verified_official(city):
    """Whether staff have verified an official of `city` (one query)."""
    return has_verified_official(city)
