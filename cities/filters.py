"""The filter of police-violence records: the CSV and the API read the same parameters."""

import django_filters
from django.utils.translation import gettext_lazy

from cities.states import STATES_BY_NAME


class PoliceKillingFilter(django_filters.FilterSet):
    """Filters people killed by police in tracked cities."""

    state = django_filters.ChoiceFilter(
        field_name="city__state",
        choices=STATES_BY_NAME,
        empty_label=gettext_lazy("Any state"),
    )
    city = django_filters.CharFilter(
        field_name="city__slug", help_text=gettext_lazy("A city's slug.")
    )
    year_from = django_filters.NumberFilter(
        field_name="date__year", lookup_expr="gte", min_value=1900, max_value=2100
    )
    year_to = django_filters.NumberFilter(
        field_name="date__year", lookup_expr="lte", min_value=1900, max_value=2100
    )
