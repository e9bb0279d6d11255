"""The city's own account on its page (whether a verified official speaks for it), and the
reviewers' way to the cities' reports that disagree."""

from django import template

from commitments.city_reports import disagreements, has_verified_official, official_city
from commitments.models import REVIEW_PERMISSION

register = template.Library()


@register.simple_tag
def verified_official(city, day=None):
    """Whether staff have verified an official of `city` by the end of `day` (the page's
    `request.as_of`; None or empty: by now), in one query."""
    return has_verified_official(city, day or None)


@register.simple_tag(takes_context=True)
def open_disagreements(context):
    """How many cities' reports wait in the reviewers' queue (one query); None to all but
    reviewers, who alone may see the queue."""
    if not context["request"].user.has_perm(REVIEW_PERMISSION):
        return None
    return disagreements().count()


@register.simple_tag(takes_context=True)
def official_city_of_user(context):
    """The city the logged-in user verifiably speaks for, or None (a query only for those in
    the officials' group)."""
    return official_city(context["request"].user)
