"""One FilterSet per public list: the page, its CSV and its API endpoint (and the log's feed)
all filter with it.

The same query-string parameters give the same rows on every surface. Invalid values are
reported: the page shows the message beside the field, the CSV and the API answer 400.
"""

from datetime import datetime, time

import django_filters
from django import forms
from django.db.models import Exists, F, OuterRef, Q, Sum
from django.db.models.functions import Coalesce
from django.forms.renderers import Jinja2
from django.utils import timezone
from django.utils.translation import gettext_lazy

from cities.models import City
from cities.population import BANDS_BY_KEY, POPULATION_BAND_CHOICES
from cities.states import STATES_BY_NAME
from commitments.models import (
    RECORDED_PLEDGE_STATUSES,
    UPDATES_LATEST_FIRST,
    UPDATES_PUBLISHED_FIRST,
    Action,
    CityScore,
    Evidence,
    EvidenceKind,
    PledgeStatus,
    Principle,
    start_of_day_after,
)
from commitments.scoring import Grade, Status

# Graded cities rank before incomplete ones; cities without a population or an update sort
# last either way, on every database.
SORTS = {
    "name": (gettext_lazy("Name (A–Z)"), ["name", "state"]),
    "-name": (gettext_lazy("Name (Z–A)"), ["-name", "-state"]),
    "-score": (
        gettext_lazy("Score (highest first)"),
        ["-graded", "-score_numerator", "name", "state"],
    ),
    "score": (
        gettext_lazy("Score (lowest first)"),
        ["-graded", "score_numerator", "name", "state"],
    ),
    "-population": (
        gettext_lazy("Population (largest first)"),
        [F("population").desc(nulls_last=True), "name", "state"],
    ),
    "population": (
        gettext_lazy("Population (smallest first)"),
        [F("population").asc(nulls_last=True), "name", "state"],
    ),
    "-coverage": (gettext_lazy("Coverage (most rated first)"), ["-rated_actions", "name", "state"]),
    "coverage": (gettext_lazy("Coverage (least rated first)"), ["rated_actions", "name", "state"]),
    "-updated": (
        gettext_lazy("Last update (newest first)"),
        [F("last_updated").desc(nulls_last=True), "name", "state"],
    ),
    "updated": (
        gettext_lazy("Last update (oldest first)"),
        [F("last_updated").asc(nulls_last=True), "name", "state"],
    ),
}
DEFAULT_SORT = "name"
# What a list of cities may be asked without reading a figure (a score, the coverage, the last
# update, the grade): as of a past day, such a list scores only its page (`reads_figures`).
SORTS_WITHOUT_FIGURES = {"name", "-name", "population", "-population"}
PARAMETERS_WITHOUT_FIGURES = {"q", "state", "population", "pledge_status", "principle", "view",
                              "sort", "page", "as_of"}  # fmt: skip
# A column header's first click sorts the way a reader most likely wants: names A–Z, the
# rest largest or newest first; a second click reverses it.
FIRST_CLICK = {"name": "name", "score": "-score", "coverage": "-coverage",
               "population": "-population", "updated": "-updated"}  # fmt: skip


def sort_headers(current):
    """{column: (the sort its header links to, its aria-sort or None)} for the scorecard."""
    headers = {}
    for column, first in FIRST_CLICK.items():
        reverse = first[1:] if first.startswith("-") else f"-{first}"
        if current in (first, reverse):
            state = "descending" if current.startswith("-") else "ascending"
            headers[column] = (reverse if current == first else first, state)
        else:
            headers[column] = (first, None)
    return headers


class FilterForm(forms.Form):
    """A filter form styled by its widgets' classes, so pages render it without crispy's
    templates (which cost 13 ms of a 40 ms scorecard page), its widgets drawn by Django's
    Jinja2 templates of them (the same markup, an apostrophe escaped as `&#39;` rather than
    `&#x27;`, in a third of the time of a list page's form), its selects by the project's
    (`commitments/jinja2/commitments/select.html`), which writes their options in place."""

    default_renderer = Jinja2()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            select = isinstance(field.widget, forms.Select)
            kind = "form-select" if select else "form-control"
            field.widget.attrs["class"] = f"{kind} {kind}-sm"
            if select:
                field.widget.template_name = "commitments/select.html"

    def full_clean(self):
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                attrs = self.fields[name].widget.attrs
                attrs["class"] += " is-invalid"
                attrs["aria-describedby"] = f"{self[name].auto_id}_error"


class FilterSet(django_filters.FilterSet):
    # Labels for the page's form where django-filter would derive them from the models' field
    # names, which are not translated. Set on the bound filters only: the API schema reads the
    # declared ones and so describes them as before.
    page_labels = {}

    class Meta:
        form = FilterForm

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, label in self.page_labels.items():
            self.filters[name].label = label


def state_filter(field_name="state"):
    return django_filters.ChoiceFilter(
        field_name=field_name, choices=STATES_BY_NAME, empty_label=gettext_lazy("Any state")
    )


def city_slug_filter():
    return django_filters.CharFilter(
        field_name="city__slug", help_text=gettext_lazy("A city's slug.")
    )


def action_filter():
    return django_filters.ModelChoiceFilter(
        queryset=Action.objects.all(),
        to_field_name="code",
        empty_label=gettext_lazy("Any action"),
        help_text=gettext_lazy("An action's code, for example 1.2."),
    )


def status_filter():
    return django_filters.ChoiceFilter(
        choices=Status.choices, empty_label=gettext_lazy("Any status")
    )


def population_filter():
    # Not named after the population column: it takes a band's key (a string), and the API
    # schema would otherwise declare it an integer like the column.
    return django_filters.ChoiceFilter(
        field_name="population_band",
        label=gettext_lazy("Population"),
        choices=POPULATION_BAND_CHOICES,
        method="in_population_band",
        empty_label=gettext_lazy("Any population"),
    )


def principle_filter(**kwargs):
    return django_filters.ModelChoiceFilter(
        queryset=Principle.objects.all(),
        to_field_name="number",
        empty_label=gettext_lazy("Any principle"),
        help_text=gettext_lazy("A principle's number."),
        **kwargs,
    )


def reads_figures(query):
    """Whether a list of cities filtered by `query` may order or narrow them by a figure, which
    needs every city's: any sort but a plain one, any parameter not known to be plain (a grade,
    and whatever a later filter adds, until it is listed above)."""
    sort = query.get("sort") or DEFAULT_SORT
    sort = sort if sort in SORTS else DEFAULT_SORT  # the list ignores a sort it does not know
    asked = {name for name, value in query.items() if value}
    return sort not in SORTS_WITHOUT_FIGURES or bool(asked - PARAMETERS_WITHOUT_FIGURES)


class CityFilter(FilterSet):
    """Filters the scored cities (`scores.scored_cities`), or as of a past day, when it reads no
    figure (`reads_figures`), the cities with their mayor and pledge then (`people_as_of`)."""

    page_labels = {"state": gettext_lazy("State")}
    q = django_filters.CharFilter(
        label=gettext_lazy("Search city or mayor"), method="search", max_length=100
    )
    state = state_filter()
    population = population_filter()
    pledge_status = django_filters.ChoiceFilter(
        label=gettext_lazy("Pledge status"),
        choices=PledgeStatus.choices,
        empty_label=gettext_lazy("Any pledge status"),
    )
    grade = django_filters.ChoiceFilter(
        label=gettext_lazy("Grade"), choices=Grade.choices, empty_label=gettext_lazy("Any grade")
    )
    sort = django_filters.ChoiceFilter(
        label=gettext_lazy("Sort by"),
        choices=[(key, label) for key, (label, _ordering) in SORTS.items()],
        method="sort_by",
        empty_label=None,
        null_label=None,
    )

    def search(self, cities, name, value):
        return cities.filter(Q(name__icontains=value) | Q(mayor_name__icontains=value))

    def in_population_band(self, cities, name, value):
        return cities.filter(BANDS_BY_KEY[value].condition())

    def sort_by(self, cities, name, value):
        return cities.order_by(*SORTS[value][1])

    def filter_queryset(self, queryset):
        queryset = queryset.order_by(*SORTS[DEFAULT_SORT][1])
        return super().filter_queryset(queryset)


GRID_VIEWS = [
    ("actions", gettext_lazy("Each action")),
    ("principles", gettext_lazy("Principle scores")),
]


class GridFilter(CityFilter):
    """The scorecard's filter, plus the grid's columns: one principle's actions or all, each
    action or the principle scores. Neither narrows the cities."""

    principle = principle_filter(label=gettext_lazy("Principle"), method="same_cities")
    view = django_filters.ChoiceFilter(
        label=gettext_lazy("Show"), choices=GRID_VIEWS, method="same_cities", empty_label=None
    )

    def same_cities(self, cities, name, value):
        return cities


# The public log's orders: by when an update was published (approved), the default, or by when
# what it reports happened (the rule that picks a city's current status).
LOG_ORDERS = {
    "published": (gettext_lazy("Latest published first"), UPDATES_PUBLISHED_FIRST),
    "happened": (gettext_lazy("Latest to happen first"), UPDATES_LATEST_FIRST),
}
DEFAULT_LOG_ORDER = "published"
DAY_INPUT = forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})


def start_of_day(day):
    return timezone.make_aware(datetime.combine(day, time.min))


class UpdateFilter(FilterSet):
    """Filters approved progress updates and orders them; the date range (`from`, `to`) is on
    the date of the chosen order: the day an update was published, or the day it happened."""

    page_labels = {
        "state": gettext_lazy("City state"),
        "city": gettext_lazy("City slug"),
        "principle": gettext_lazy("Action principle"),
        "action": gettext_lazy("Action"),
        "status": gettext_lazy("Status"),
    }
    q = django_filters.CharFilter(
        label=gettext_lazy("Search what happened or the city"),
        method="search",
        max_length=100,
    )
    state = state_filter("city__state")
    city = city_slug_filter()
    principle = principle_filter(field_name="action__principle")
    action = action_filter()
    status = status_filter()
    order = django_filters.ChoiceFilter(
        label=gettext_lazy("Order"),
        choices=[(key, label) for key, (label, _ordering) in LOG_ORDERS.items()],
        method="order_by",
        empty_label=None,
        null_label=None,
    )

    # The filters that narrow the log by city alone (both read `city__…`, so they filter the
    # cities' stored scores as they filter the log) and the one that only orders it.
    BY_PLACE = ("state", "city")
    ORDER_ONLY = ("order",)

    def stored_count(self):
        """How many updates today's log under this filter has, summed from its cities' stored
        counts (`CityScore.log_length`) instead of counted over the log; None when the
        filter narrows by more than place, for the log to count itself."""
        self.is_valid()  # cleaned_data then holds the fields that are valid, as for `qs`
        data = self.form.cleaned_data
        ignored = {*self.BY_PLACE, *self.ORDER_ONLY}
        if any(value not in (None, "") for name, value in data.items() if name not in ignored):
            return None
        scores = CityScore.objects.all()
        for name in self.BY_PLACE:
            scores = self.filters[name].filter(scores, data.get(name))
        return scores.aggregate(total=Coalesce(Sum("log_length"), 0))["total"]

    def search(self, updates, name, value):
        # The matching cities are read first, so that PostgreSQL can combine two indexes (the
        # summary's trigrams, the log's cities) instead of reading the whole log.
        cities = City.objects.filter(name__icontains=value).values_list("pk", flat=True)
        return updates.filter(Q(summary__icontains=value) | Q(city__in=list(cities)))

    def order_by(self, updates, name, value):
        return updates.order_by(*LOG_ORDERS[value][1])

    @property
    def by_happened(self):
        return self.form.cleaned_data.get("order") == "happened"

    def on_or_after(self, updates, name, day):
        if self.by_happened:
            return updates.filter(happened_on__gte=day)
        return updates.filter(reviewed_at__gte=start_of_day(day))

    def on_or_before(self, updates, name, day):
        if self.by_happened:
            return updates.filter(happened_on__lte=day)
        # Nothing is published after today: a later day means today (and cannot overflow).
        return updates.filter(reviewed_at__lt=start_of_day_after(min(day, timezone.localdate())))

    def filter_queryset(self, queryset):
        queryset = queryset.order_by(*LOG_ORDERS[DEFAULT_LOG_ORDER][1])
        return super().filter_queryset(queryset)


def day_filter(label, help_text, method):
    return django_filters.DateFilter(
        label=label, help_text=help_text, method=method, widget=DAY_INPUT
    )


# The range's first day is `from`, a Python keyword: both ends are declared by name, after the
# order whose date they bound.
UpdateFilter.base_filters |= {
    "from": day_filter(
        gettext_lazy("From"),
        gettext_lazy("On or after this day: published, or happened if ordered so."),
        "on_or_after",
    ),
    "to": day_filter(
        gettext_lazy("To"),
        gettext_lazy("On or before this day: published, or happened if ordered so."),
        "on_or_before",
    ),
}


class EvidenceFilter(FilterSet):
    """Filters approved evidence."""

    q = django_filters.CharFilter(
        label=gettext_lazy("Search title or publisher"), method="search", max_length=100
    )
    state = state_filter("city__state")
    city = city_slug_filter()
    kind = django_filters.ChoiceFilter(
        choices=EvidenceKind.choices, empty_label=gettext_lazy("Any kind")
    )
    principle = principle_filter(
        field_name="updates__action__principle", method="backing_principle"
    )
    published_after = django_filters.DateFilter(
        field_name="published_on", lookup_expr="gte", label=gettext_lazy("Published on or after")
    )
    published_before = django_filters.DateFilter(
        field_name="published_on", lookup_expr="lte", label=gettext_lazy("Published on or before")
    )

    def search(self, evidence, name, value):
        return evidence.filter(Q(title__icontains=value) | Q(publisher__icontains=value))

    def backing_principle(self, evidence, name, principle):
        # EXISTS rather than a join, so an item backing several updates is listed once.
        backs = Evidence.updates.through.objects.filter(
            evidence=OuterRef("pk"), progressupdate__action__principle=principle
        )
        return evidence.filter(Exists(backs))


class PledgeFilter(FilterSet):
    """Filters approved pledge records."""

    state = state_filter("mayor__city__state")
    status = django_filters.ChoiceFilter(choices=RECORDED_PLEDGE_STATUSES)
    date_after = django_filters.DateFilter(field_name="date", lookup_expr="gte")
    date_before = django_filters.DateFilter(field_name="date", lookup_expr="lte")


class CityReportFilter(FilterSet):
    """Filters the cities' own reports."""

    state = state_filter("city__state")
    city = city_slug_filter()
    principle = principle_filter(field_name="action__principle")
    action = action_filter()
    status = status_filter()
