"""Advocates' pages: their cities, proposing statuses with evidence, pledge outreach.

Every view needs a login; a city must be assigned to the user (or the user must hold the
permission to act on every city), else 403.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from cities.models import City
from commitments.following import follower_count
from commitments.forms import PledgeOutreachForm, ProposalForm
from commitments.models import Action, ReviewState
from commitments.scoring import minimum_rated_for_grade
from commitments.selectors import (
    WORKSPACE_VIEWS,
    advocate_cities,
    by_principle,
    submissions_by,
    workspace_rows,
)
from commitments.services import (
    PendingProposal,
    check_may_act_on,
    pending_proposal,
    propose_update,
    record_pledge,
)
from pledge_tracker.limits import limit, user_key

# Each advocate may submit only so often: a runaway script cannot flood the review queue.
limit_submissions = limit("SUBMISSION_RATE_LIMIT", key=user_key, methods=("POST",), page=True)


def assigned_city(user, state, slug):
    city = get_object_or_404(City, state=state.upper(), slug=slug)
    check_may_act_on(user, city)
    return city


@login_required
@require_safe
def dashboard(request):
    cities = advocate_cities(request.user, timezone.localdate())
    return render(request, "advocate/dashboard.html", {"cities": cities})


@login_required
@require_safe
def workspace(request, state, slug):
    """A city's actions by principle, with what to do next; ?show= keeps to one kind."""
    city = assigned_city(request.user, state, slug)
    city = City.objects.with_scores().get(pk=city.pk)
    rows = workspace_rows(city, request.user, timezone.localdate())
    show = request.GET.get("show", "")
    counts = {name: sum(map(test, rows)) for name, test in WORKSPACE_VIEWS.items()}
    shown = [row for row in rows if WORKSPACE_VIEWS[show](row)] if show in WORKSPACE_VIEWS else rows
    context = {
        "city": city,
        "sections": by_principle(shown),
        "show": show if show in WORKSPACE_VIEWS else "",
        "views": counts,
        "total": len(rows),
        "minimum_rated": minimum_rated_for_grade(city.total_actions),
        "mayor": city.mayors.sitting().first(),
        "followers": follower_count(city),
    }
    return render(request, "advocate/workspace.html", context)


def one_row(request, city, action):
    return workspace_rows(city, request.user, timezone.localdate(), actions=[action])[0]


@login_required
@require_http_methods(["GET", "POST"])
@limit_submissions
def propose(request, state, slug, code):
    """The proposal form; with htmx it opens and saves in place of the action's row."""
    city = assigned_city(request.user, state, slug)
    action = get_object_or_404(Action.objects.select_related("principle"), code=code)
    form = ProposalForm(request.POST or None, city=city)
    waiting = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            propose_update(
                request.user,
                city,
                action,
                status=data["status"],
                summary=data["summary"],
                happened_on=data["happened_on"],
                evidence=data["existing_evidence"],
                new_evidence=form.new_evidence(),
            )
        except PendingProposal as refused:
            form.add_error(None, refused)
            waiting = refused.proposal
        except ValidationError as error:
            form.add_model_errors(error)
        else:
            saved = _("Your proposal for %(code)s was saved for review.") % {"code": action.code}
            if request.htmx:
                context = {"city": city, "row": one_row(request, city, action), "announce": saved}
                return render(request, "advocate/_action_row.html", context)
            messages.success(request, saved)
            workspace_url = reverse("advocate:workspace", args=[city.state.lower(), city.slug])
            return redirect(f"{workspace_url}#row-{slugify(action.code)}")
    else:
        waiting = waiting or pending_proposal(request.user, city, action)
    template = "advocate/_proposal_row.html" if request.htmx else "advocate/propose.html"
    context = {"city": city, "action": action, "form": form, "waiting": waiting}
    return render(request, template, context)


@login_required
@require_safe
def action_row(request, state, slug, code):
    """One action's row of the workspace, for htmx to restore after a cancelled proposal."""
    city = assigned_city(request.user, state, slug)
    action = get_object_or_404(Action.objects.select_related("principle"), code=code)
    announce = _("Proposal for %(code)s cancelled.") % {"code": action.code}
    context = {"city": city, "row": one_row(request, city, action), "announce": announce}
    return render(request, "advocate/_action_row.html", context)


@login_required
@require_http_methods(["GET", "POST"])
@limit_submissions
def pledge_outreach(request, state, slug):
    city = assigned_city(request.user, state, slug)
    mayor = city.mayors.sitting().first()
    form = PledgeOutreachForm(request.POST or None)
    if request.method == "POST" and mayor and form.is_valid():
        try:
            record_pledge(request.user, mayor, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)  # the form's fields have the model's names
        else:
            saved = _("Pledge outreach for %(mayor)s was saved for review.") % {"mayor": mayor.name}
            messages.success(request, saved)
            return redirect("advocate:workspace", state=city.state.lower(), slug=city.slug)
    return render(request, "advocate/pledge.html", {"city": city, "mayor": mayor, "form": form})


@login_required
@require_safe
def submissions(request):
    """Everything the user submitted; ?outcome= keeps to pending, approved or rejected."""
    outcome = request.GET.get("outcome", "")
    outcome = outcome if outcome in ReviewState.values else ""
    context = {**submissions_by(request.user, outcome), "outcome": outcome,
               "outcomes": ReviewState.choices}  # fmt: skip
    return render(request, "advocate/submissions.html", context)
