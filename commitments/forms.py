"""Forms: the public filters, and what advocates submit."""

from django import forms
from django.db.models import Q

from cities.states import STATE_CHOICES
from commitments.models import PledgeStatus, Principle
from commitments.scoring import GRADE_CHOICES

NOT_ASKED_VALUE = "not_asked"
PLEDGE_FILTER_CHOICES = [("", "Any"), (NOT_ASKED_VALUE, "Not asked"), *PledgeStatus.choices]

SORTS = {
    "name": ("name", "state"),
    "-name": ("-name", "-state"),
    "-score": ("-score", "name"),
    "score": ("score", "name"),
    "-population": ("-population", "name"),
    "population": ("population", "name"),
    "-updated": ("-last_updated", "name"),
    "updated": ("last_updated", "name"),
}
SORT_CHOICES = [
    ("name", "Name (A–Z)"),
    ("-name", "Name (Z–A)"),
    ("-score", "Score (highest first)"),
    ("score", "Score (lowest first)"),
    ("-population", "Population (largest first)"),
    ("population", "Population (smallest first)"),
    ("-updated", "Last update (newest first)"),
    ("updated", "Last update (oldest first)"),
]


class FilterForm(forms.Form):
    """A GET form of filters, styled for Bootstrap."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            is_select = isinstance(field.widget, forms.Select)
            field.widget.attrs["class"] = (
                "form-select form-select-sm" if is_select else "form-control form-control-sm"
            )


class ScorecardFilterForm(FilterForm):
    q = forms.CharField(label="Search city or mayor", required=False, max_length=100)
    state = forms.ChoiceField(choices=[("", "Any state"), *STATE_CHOICES], required=False)
    pledge = forms.ChoiceField(label="Pledge status", choices=PLEDGE_FILTER_CHOICES, required=False)
    grade = forms.ChoiceField(choices=[("", "Any grade"), *GRADE_CHOICES], required=False)
    sort = forms.ChoiceField(label="Sort by", choices=SORT_CHOICES, required=False)

    def filter(self, cities):
        """Apply the valid fields to annotated cities; an invalid field is ignored and shown."""
        self.is_valid()
        data = self.cleaned_data
        if data.get("q"):
            cities = cities.filter(
                Q(name__icontains=data["q"]) | Q(mayor_name__icontains=data["q"])
            )
        if data.get("state"):
            cities = cities.filter(state=data["state"])
        if data.get("pledge") == NOT_ASKED_VALUE:
            cities = cities.filter(pledge_status__isnull=True)
        elif data.get("pledge"):
            cities = cities.filter(pledge_status=data["pledge"])
        if data.get("grade"):
            cities = cities.filter(grade=data["grade"])
        return cities.order_by(*SORTS[data.get("sort") or "name"])


class UpdatesFilterForm(FilterForm):
    state = forms.ChoiceField(choices=[("", "Any state"), *STATE_CHOICES], required=False)
    principle = forms.ModelChoiceField(
        queryset=Principle.objects.all(),
        to_field_name="slug",
        required=False,
        empty_label="Any principle",
    )

    def filter(self, updates):
        self.is_valid()
        data = self.cleaned_data
        if data.get("state"):
            updates = updates.filter(city__state=data["state"])
        if data.get("principle"):
            updates = updates.filter(action__principle=data["principle"])
        return updates
