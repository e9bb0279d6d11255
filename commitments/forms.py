"""Forms: what advocates submit. (The public lists filter with `commitments.filters`.)"""

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.utils.formats import date_format
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cities.models import http_url_validator
from cities.validators import PAST_DATE_VALIDATORS
from commitments.models import (
    RECORDED_PLEDGE_STATUSES,
    Evidence,
    EvidenceKind,
    PledgeStatus,
    ProgressUpdate,
    ReviewState,
)
from commitments.scoring import MEANINGS, Status


def past_date_field(label, required=True):
    return forms.DateField(
        label=label,
        required=required,
        validators=PAST_DATE_VALIDATORS,
        widget=forms.DateInput(attrs={"type": "date"}),
    )


HTTP_URL_HELP = gettext_lazy("An http:// or https:// address.")


def http_url_field(label, help_text=HTTP_URL_HELP):
    """A URL field that accepts only http and https, the same rule the models enforce."""
    return forms.URLField(
        label=label,
        max_length=500,
        required=False,
        validators=[http_url_validator],
        assume_scheme="https",
        help_text=help_text,
    )


class EvidenceChoiceField(forms.ModelMultipleChoiceField):
    """Evidence on record, each told apart by its title, publisher, date and the actions it
    already backs (`backs`: the action codes of the live updates it stands behind)."""

    widget = forms.CheckboxSelectMultiple

    def label_from_instance(self, item):
        published = date_format(item.published_on, "SHORT_DATE_FORMAT")
        label = f"{item.title} — {item.publisher}, {published}"
        codes = sorted({update.action.code for update in item.live_updates})
        if codes:
            label += " · " + _("backs %(codes)s") % {"codes": ", ".join(codes)}
        return label


def evidence_on_record(city):
    """A city's approved evidence, newest first, with the live updates each backs."""
    live = ProgressUpdate.objects.exclude(review_state=ReviewState.REJECTED)
    backed = Prefetch("updates", queryset=live.select_related("action"), to_attr="live_updates")
    return city.evidence.approved().order_by("-published_on", "-id").prefetch_related(backed)


# Each status with what it means, so that the choice says what it claims; none is preselected.
STATUS_CHOICES = [
    (status, format_lazy("{}: {}", status.label, MEANINGS[status])) for status in Status
]


class ProposalForm(forms.Form):
    """An advocate's proposed status for one action, with existing or new evidence."""

    status = forms.ChoiceField(
        label=gettext_lazy("Status"),
        choices=STATUS_CHOICES,
        widget=forms.RadioSelect,
        error_messages={"required": gettext_lazy("Choose the status that the evidence shows.")},
    )
    summary = forms.CharField(
        label=gettext_lazy("What happened"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=5000,
        help_text=gettext_lazy("Say what was done, by whom, in plain words."),
    )
    happened_on = past_date_field(gettext_lazy("When it happened"))
    existing_evidence = EvidenceChoiceField(
        label=gettext_lazy("Evidence already on record"),
        queryset=Evidence.objects.none(),
        required=False,
        help_text=gettext_lazy("Approved sources about this city, newest first."),
    )
    evidence_title = forms.CharField(
        label=gettext_lazy("New evidence: title"), max_length=300, required=False
    )
    evidence_url = http_url_field(gettext_lazy("New evidence: URL"))
    evidence_publisher = forms.CharField(
        label=gettext_lazy("New evidence: publisher"), max_length=200, required=False
    )
    evidence_published_on = past_date_field(
        gettext_lazy("New evidence: publication date"), required=False
    )
    evidence_kind = forms.ChoiceField(
        label=gettext_lazy("New evidence: kind"),
        choices=[("", "—"), *EvidenceKind.choices],
        required=False,
    )
    evidence_excerpt = forms.CharField(
        label=gettext_lazy("New evidence: excerpt"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=5000,
    )

    NEW_EVIDENCE = ["title", "url", "publisher", "published_on", "kind"]
    # The fields of the update itself, and of new evidence (each in its own fieldset).
    UPDATE_FIELDS = ["status", "summary", "happened_on"]
    NEW_EVIDENCE_FIELDS = [*(f"evidence_{name}" for name in NEW_EVIDENCE), "evidence_excerpt"]

    def __init__(self, *args, city, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["existing_evidence"].queryset = evidence_on_record(city)

    def update_fields(self):
        return [self[name] for name in self.UPDATE_FIELDS]

    def new_evidence_fields(self):
        return [self[name] for name in self.NEW_EVIDENCE_FIELDS]

    def clean_summary(self):
        summary = self.cleaned_data["summary"].strip()
        if not summary:
            raise ValidationError(_("Say what happened."))
        return summary

    def clean(self):
        data = super().clean()
        new_fields = [f"evidence_{name}" for name in self.NEW_EVIDENCE]
        started = any(data.get(name) for name in [*new_fields, "evidence_excerpt"])
        if started:
            for name in new_fields:
                if not data.get(name) and name not in self.errors:
                    self.add_error(name, _("Needed for new evidence."))
        elif not data.get("existing_evidence") and "existing_evidence" not in self.errors:
            raise ValidationError(_("Attach at least one piece of evidence: pick one or add one."))
        return data

    def add_model_errors(self, error):
        """Show the models' validation errors beside the fields they concern.

        The update's fields keep their names here; new evidence's carry an `evidence_` prefix.
        """
        if not hasattr(error, "error_dict"):
            self.add_error(None, error)
            return
        for name, messages in error.message_dict.items():
            field = next((f for f in (name, f"evidence_{name}") if f in self.fields), None)
            self.add_error(field, messages)

    def new_evidence(self):
        """The new evidence's fields, or None if the advocate only picked existing evidence."""
        data = self.cleaned_data
        if not data.get("evidence_url"):
            return None
        fields = {name: data[f"evidence_{name}"] for name in self.NEW_EVIDENCE}
        return {**fields, "excerpt": data.get("evidence_excerpt", "")}


class PledgeOutreachForm(forms.Form):
    status = forms.ChoiceField(
        label=gettext_lazy("What happened"), choices=RECORDED_PLEDGE_STATUSES
    )
    date = past_date_field(gettext_lazy("Date"))
    source_url = http_url_field(
        gettext_lazy("Source"),
        help_text=gettext_lazy("An http:// or https:// address; needed for a signature."),
    )
    note = forms.CharField(
        label=gettext_lazy("Note"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=2000,
    )

    def clean(self):
        data = super().clean()
        unsourced = not data.get("source_url") and "source_url" not in self.errors
        if data.get("status") == PledgeStatus.SIGNED and unsourced:
            self.add_error("source_url", _("A signature needs a source."))
        return data
