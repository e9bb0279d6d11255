"""What changed in the public record between two days, city by city: for journalists' "this
year's movers" and a city's last year.

A change is an action rated at the end of `to` by an update whose rating period began after
`since` ended (`models.RatingPeriod`), beside the status its period at the end of `since` gave
it; the city's score and grade before and after come from the scored queryset as of each day
(`scores.scored_as_of`), so they match the as-of pages.
"""

from dataclasses import dataclass, field
from datetime import timedelta
from urllib.parse import urlencode

from django import forms
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from cities.models import City
from cities.states import STATES_BY_NAME
from commitments.filters import FilterForm
from commitments.models import (
    BEFORE_THE_RECORD,
    Action,
    ProgressUpdate,
    RatingPeriod,
    start_of_day_after,
)
from commitments.scores import scored_as_of
from commitments.selectors import approved_evidence_prefetch

# What "the last year" means for the city page's link.
LAST_YEAR = timedelta(days=365)


DAY = forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})


class ChangesForm(FilterForm):
    """The period (`from` and `to`) and the place; styled and marked when invalid like the
    lists' filters."""

    to = forms.DateField(label=_("To the end of"), input_formats=["%Y-%m-%d"], widget=DAY)
    state = forms.ChoiceField(
        label=_("State"), choices=[("", _("Any state")), *STATES_BY_NAME], required=False
    )
    city = forms.SlugField(required=False, label=_("City (its address name)"))

    def clean(self):
        cleaned = super().clean()
        since, to = cleaned.get("from"), cleaned.get("to")
        if since and to:
            if to > timezone.localdate():
                self.add_error(
                    "to", gettext("This day has not happened yet: choose a day up to today.")
                )
            elif since >= to:
                self.add_error("from", gettext("Choose a day before the end of the period."))
        if cleaned.get("city") and not cleaned.get("state"):
            self.add_error("state", gettext("Give the city's state too."))
        return cleaned


# The period's first day is `from`, a Python keyword: the field is declared by name, first.
ChangesForm.base_fields = {
    "from": forms.DateField(label=_("From the end of"), input_formats=["%Y-%m-%d"], widget=DAY),
    **ChangesForm.base_fields,
}


def last_year():
    """The period the page shows by default and a city page links to: the year to today."""
    today = timezone.localdate()
    return {"from": (today - LAST_YEAR).isoformat(), "to": today.isoformat()}


def period_form(query):
    """The changes form for a request's query; a period not given is the last year."""
    data = query.copy()
    for name, day in last_year().items():
        data.setdefault(name, day)
    return ChangesForm(data)


def city_last_year_url(city):
    """The changes page for one city over the last year."""
    query = urlencode({**last_year(), "state": city.state, "city": city.slug})
    return f"{reverse('commitments:changes')}?{query}"


@dataclass
class CityChanges:
    city: City  # scored as of `to`
    before: City  # the same city scored as of `since`
    changes: list = field(default_factory=list)  # [(status before or None, new update)]


def new_periods(since, to):
    """The rating periods in force at the end of `to` that began after the end of `since`: the
    actions rated anew. Read from the periods alone (they carry their city), so that only the
    changes' own updates are read from the log."""
    return RatingPeriod.objects.on(to).filter(public_from__gte=start_of_day_after(since))


def changed_cities(since, to, state="", city=""):
    """The cities whose ratings changed, by name: what the page paginates.

    Those where a rating period began in the period: an action's period in force at the end of
    `to` began no earlier than any other of its periods that began by then (`new_periods` finds
    the same cities). Through today (the page's default), those whose current score period began
    after `since` ended, found in the index of the open periods' starts: a city's score periods
    begin wherever its rating periods do (`models.ScorePeriod`), so its current one began at its
    last change (1,500 cities: about 1 ms of SQL, against 6 to 9 looking up each city's rating
    periods). The starts of score periods do not depend on the weights, so they hold while the
    periods' figures are computed again. Before today, each city is looked up in the index of
    its rating periods' starts."""
    since_ended, to_ended = start_of_day_after(since), start_of_day_after(to)
    if to == timezone.localdate():
        # A city never rated has only its first period, from BEFORE_THE_RECORD.
        cities = City.objects.filter(
            score_periods__public_until=None,
            score_periods__public_from__gt=BEFORE_THE_RECORD,
            score_periods__public_from__gte=since_ended,
            score_periods__public_from__lt=to_ended,
        )
    else:
        began = RatingPeriod.objects.filter(
            city=OuterRef("pk"), public_from__gte=since_ended, public_from__lt=to_ended
        )
        cities = City.objects.filter(Exists(began))
    if state:
        cities = cities.filter(state=state)
    if city:
        cities = cities.filter(slug=city)
    return cities.order_by("name", "state")


def changes_between(since, to, cities):
    """[CityChanges] of `cities` (a list of cities that changed), in the order given, in eight
    queries. Only the changes' updates and evidence are read as objects (two hundred and more
    of each on a page): their actions come from the framework, the statuses before as values."""
    cities = {city.pk: city for city in cities}
    new = new_periods(since, to).filter(city__in=cities).values("update")
    actions = Action.objects.select_related("principle").in_bulk()
    after = (
        ProgressUpdate.objects.filter(pk__in=new)
        .prefetch_related(approved_evidence_prefetch("evidence", to))
        .order_by("action__principle__number", "action__position")
    )
    rated_then = RatingPeriod.objects.on(since).filter(city__in=cities)
    status_then = {
        (city, action): status
        for city, action, status in rated_then.values_list("city", "action", "status")
    }
    page = City.objects.filter(pk__in=cities)
    scored_then = {city.pk: city for city in scored_as_of(since, page, few=True)}
    scored_now = {city.pk: city for city in scored_as_of(to, page, few=True)}
    by_city = {pk: CityChanges(scored_now[pk], scored_then[pk]) for pk in cities}
    for update in after:
        update.city, update.action = cities[update.city_id], actions[update.action_id]
        status = status_then.get((update.city_id, update.action_id))
        by_city[update.city_id].changes.append((status, update))
    return list(by_city.values())
