"""The city's own account: its officials' page to report, and the reports as open data."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from commitments.city_reports import (
    NOT_IN_QUEUE,
    answer_report,
    confirm_report,
    disagreements,
    official_city,
    report_for_city,
)
from commitments.models import REVIEW_PERMISSION, Action, CityReport
from commitments.selectors import (
    current_statuses,
    framework,
    principle_cards,
)


class CityReportForm(forms.ModelForm):
    """An official's account of one action of their city."""

    action = forms.ModelChoiceField(
        label=gettext_lazy("Action"), queryset=Action.objects.order_by(*Action._meta.ordering)
    )

    class Meta:
        model = CityReport
        fields = ["action", "status", "summary", "happened_on", "evidence_url"]
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 3}),
            "happened_on": forms.DateInput(attrs={"type": "date"}),
        }
        labels = {
            "status": gettext_lazy("Status"),
            "summary": gettext_lazy("What the city did"),
            "happened_on": gettext_lazy("When it happened"),
            "evidence_url": gettext_lazy("Evidence (a public web address)"),
        }


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def official_page(request):
    """The official's city's actions, each with its independent rating and the city's latest
    report, and a form to report on one; refused to all but a verified official."""
    city = official_city(request.user)
    if city is None:
        raise PermissionDenied(_("This page is for verified city officials."))
    form = CityReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        report_for_city(request.user, city, **form.cleaned_data)
        messages.success(request, _("The city's report is published beside the rating."))
        return redirect("official:page")
    scored = type(city).objects.with_scores().get(pk=city.pk)
    cards = principle_cards(scored, framework(), current_statuses(city))
    return render(request, "official/page.html", {"city": city, "cards": cards, "form": form})


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def disagreements_queue(request):
    """Reviewers' queue: the cities' latest reports that disagree with the independent rating,
    each to confirm (an independent update of the reviewer's) or to answer publicly."""
    if not request.user.has_perm(REVIEW_PERMISSION):
        raise PermissionDenied(_("Reviewing submissions needs the review permission."))
    if request.method == "POST":
        decision = QueueDecisionForm(request.POST)
        if not decision.is_valid():
            errors = decision.errors
            for message in errors.get("__all__") or errors.get("note") or [NOT_IN_QUEUE]:
                messages.error(request, message)
            return redirect("official:queue")
        try:
            decide(request, **decision.cleaned_data)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        return redirect("official:queue")
    return render(request, "official/queue.html", {"reports": disagreements()})


class QueueDecisionForm(forms.Form):
    """A reviewer's decision on a report in the queue: confirm it (having read its evidence),
    or answer why not."""

    report = forms.ModelChoiceField(queryset=CityReport.objects.all())
    confirm = forms.BooleanField(required=False)
    checked = forms.BooleanField(required=False)
    note = forms.CharField(required=False, max_length=1000)
    answer = forms.CharField(required=False)

    def clean(self):
        data = super().clean()
        if data.get("confirm") and not data.get("checked"):
            raise ValidationError(_("Read the city's evidence before you confirm its claim."))
        return data


def decide(request, report, confirm, checked, note, answer):
    if confirm:
        confirm_report(report, request.user, note)
        messages.success(request, _("Confirmed: the independent rating now agrees."))
    else:
        answer_report(report, request.user, answer)
        messages.success(request, _("Your answer is published beside the report."))
