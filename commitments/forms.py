"""Forms: the public filters, and what advocates submit."""

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import F, Q
from django.utils import timezone

from cities.models import http_url_validator
from cities.states import STATE_CHOICES
from commitments.models import Evidence, EvidenceKind, PledgeStatus, Principle
from commitments.scoring import GRADE_CHOICES, Status

NOT_ASKED_VALUE = "not_asked"
PLEDGE_FILTER_CHOICES = [("", "Any"), (NOT_ASKED_VALUE, "Not asked"), *PledgeStatus.choices]

# Cities without a population or an update sort last either way, on every database.
SORTS = {
    "name": ("name", "state"),
    "-name": ("-name", "-state"),
    "-score": ("-score", "name"),
    "score": ("score", "name"),
    "-population": (F("population").desc(nulls_last=True), "name"),
    "population": (F("population").asc(nulls_last=True), "name"),
    "-updated": (F("last_updated").desc(nulls_last=True), "name"),
    "updated": (F("last_updated").asc(nulls_last=True), "name"),
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
    """A GET form of filters, styled for Bootstrap; invalid fields are ignored and shown.

    Every filter form narrows by state; subclasses say where the state is and add their own.
    """

    state = forms.ChoiceField(choices=[("", "Any state"), *STATE_CHOICES], required=False)
    state_lookup = "city__state"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            is_select = isinstance(field.widget, forms.Select)
            field.widget.attrs["class"] = (
                "form-select form-select-sm" if is_select else "form-control form-control-sm"
            )

    def filter(self, queryset):
        self.is_valid()
        if state := self.cleaned_data.get("state"):
            queryset = queryset.filter(**{self.state_lookup: state})
        return self.filter_further(queryset, self.cleaned_data)

    def filter_further(self, queryset, data):
        return queryset


class ScorecardFilterForm(FilterForm):
    q = forms.CharField(label="Search city or mayor", required=False, max_length=100)
    pledge = forms.ChoiceField(label="Pledge status", choices=PLEDGE_FILTER_CHOICES, required=False)
    grade = forms.ChoiceField(choices=[("", "Any grade"), *GRADE_CHOICES], required=False)
    sort = forms.ChoiceField(label="Sort by", choices=SORT_CHOICES, required=False)

    field_order = ["q", "state", "pledge", "grade", "sort"]
    state_lookup = "state"

    def filter_further(self, cities, data):
        if data.get("q"):
            cities = cities.filter(
                Q(name__icontains=data["q"]) | Q(mayor_name__icontains=data["q"])
            )
        if data.get("pledge") == NOT_ASKED_VALUE:
            cities = cities.filter(pledge_status__isnull=True)
        elif data.get("pledge"):
            cities = cities.filter(pledge_status=data["pledge"])
        if data.get("grade"):
            cities = cities.filter(grade=data["grade"])
        return cities.order_by(*SORTS[data.get("sort") or "name"])


class UpdatesFilterForm(FilterForm):
    principle = forms.ModelChoiceField(
        queryset=Principle.objects.all(),
        to_field_name="slug",
        required=False,
        empty_label="Any principle",
    )

    def filter_further(self, updates, data):
        if data.get("principle"):
            updates = updates.filter(action__principle=data["principle"])
        return updates


def not_in_future(value):
    if value > timezone.localdate():
        raise ValidationError("This date is in the future.")


def past_date_field(label, required=True):
    return forms.DateField(
        label=label,
        required=required,
        validators=[not_in_future],
        widget=forms.DateInput(attrs={"type": "date"}),
    )


def http_url_field(label, help_text="An http:// or https:// address."):
    """A URL field that accepts only http and https, the same rule the models enforce."""
    return forms.URLField(
        label=label,
        max_length=500,
        required=False,
        validators=[http_url_validator],
        assume_scheme="https",
        help_text=help_text,
    )


class ProposalForm(forms.Form):
    """An advocate's proposed status for one action, with existing or new evidence."""

    status = forms.ChoiceField(choices=Status.choices)
    summary = forms.CharField(
        label="What happened",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=5000,
        help_text="Say what was done, by whom, in plain words.",
    )
    happened_on = past_date_field("When it happened")
    existing_evidence = forms.ModelMultipleChoiceField(
        label="Existing evidence",
        queryset=Evidence.objects.none(),
        required=False,
        help_text="Approved sources already on record for this city.",
    )
    evidence_title = forms.CharField(label="New evidence: title", max_length=300, required=False)
    evidence_url = http_url_field("New evidence: URL")
    evidence_publisher = forms.CharField(
        label="New evidence: publisher", max_length=200, required=False
    )
    evidence_published_on = past_date_field("New evidence: publication date", required=False)
    evidence_kind = forms.ChoiceField(
        label="New evidence: kind", choices=[("", "—"), *EvidenceKind.choices], required=False
    )
    evidence_excerpt = forms.CharField(
        label="New evidence: excerpt",
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=5000,
    )

    NEW_EVIDENCE = ["title", "url", "publisher", "published_on", "kind"]

    def __init__(self, *args, city, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["existing_evidence"].queryset = city.evidence.approved()

    def clean_summary(self):
        summary = self.cleaned_data["summary"].strip()
        if not summary:
            raise ValidationError("Say what happened.")
        return summary

    def clean(self):
        data = super().clean()
        new_fields = [f"evidence_{name}" for name in self.NEW_EVIDENCE]
        started = any(data.get(name) for name in [*new_fields, "evidence_excerpt"])
        if started:
            for name in new_fields:
                if not data.get(name) and name not in self.errors:
                    self.add_error(name, "Needed for new evidence.")
        elif not data.get("existing_evidence") and "existing_evidence" not in self.errors:
            raise ValidationError("Attach at least one piece of evidence: pick one or add one.")
        return data

    def new_evidence(self):
        """The new evidence's fields, or None if the advocate only picked existing evidence."""
        data = self.cleaned_data
        if not data.get("evidence_url"):
            return None
        fields = {name: data[f"evidence_{name}"] for name in self.NEW_EVIDENCE}
        return {**fields, "excerpt": data.get("evidence_excerpt", "")}


class PledgeOutreachForm(forms.Form):
    status = forms.ChoiceField(label="What happened", choices=PledgeStatus.choices)
    date = past_date_field("Date")
    source_url = http_url_field(
        "Source", help_text="An http:// or https:// address; needed for a signature."
    )
    note = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=2000
    )

    def clean(self):
        data = super().clean()
        unsourced = not data.get("source_url") and "source_url" not in self.errors
        if data.get("status") == PledgeStatus.SIGNED and unsourced:
            self.add_error("source_url", "A signature needs a source.")
        return data


class EvidenceFilterForm(FilterForm):
    kind = forms.ChoiceField(choices=[("", "Any kind"), *EvidenceKind.choices], required=False)

    def filter_further(self, evidence, data):
        if data.get("kind"):
            evidence = evidence.filter(kind=data["kind"])
        return evidence
