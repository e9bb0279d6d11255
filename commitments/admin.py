"""Staff admin: the framework (with its history, in every language), and review of what
advocates submit.

Nothing reviewed can be edited or deleted here: the log is the history, and a correction is a
new submission. Reviewers approve or reject from a submission's own page or in bulk from the
list; both call the review services, and both need the review permission.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.views.decorators.http import require_POST
from modeltranslation.admin import TranslationAdmin, TranslationTabularInline
from simple_history.admin import SimpleHistoryAdmin

from commitments.models import (
    PUBLISH_PERMISSION,
    REVIEW_PERMISSION,
    Action,
    CityOfficial,
    CityReport,
    CurrentStatus,
    Evidence,
    Follower,
    Pledge,
    Principle,
    ProgressUpdate,
    ReviewState,
    StopReason,
)
from commitments.services import (
    APPROVERS,
    REJECTERS,
    check_may_act_on,
    check_proposal_evidence,
    propose_update,
    publish_evidence,
    record_pledge,
    refresh_framework_totals,
)

REVIEW_FIELDS = [
    "submitted_by",
    "submitted_at",
    "review_state",
    "reviewed_by",
    "reviewed_at",
    "review_note",
]


def refresh_framework(modeladmin, request):
    """Recompute what the framework's change affects, telling staff when past scores change."""
    if refresh_framework_totals():
        modeladmin.message_user(
            request,
            "The weights changed, and with them every past score: they are being computed again"
            " in the background (about a minute for 1,500 cities). Until then, pages as of a"
            " past day compute them from the ratings, more slowly.",
            messages.INFO,
        )


class ActionInline(TranslationTabularInline):
    model = Action
    extra = 0
    fields = ["code", "position", "title", "achieved_when", "weight"]


@admin.register(Principle)
class PrincipleAdmin(TranslationAdmin, SimpleHistoryAdmin):
    list_display = ["number", "title", "slug", "action_count", "weight_total"]
    search_fields = ["title", "pledge_text"]
    readonly_fields = ["action_count", "weight_total", "score_multiplier", "score_denominator"]
    inlines = [ActionInline]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        refresh_framework(self, request)


@admin.register(Action)
class ActionAdmin(TranslationAdmin, SimpleHistoryAdmin):
    list_display = ["code", "title", "principle", "weight"]
    list_filter = ["principle"]
    search_fields = ["code", "title", "achieved_when"]
    list_select_related = ["principle"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        refresh_framework(self, request)

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        refresh_framework(self, request)

    def delete_queryset(self, request, queryset):
        super().delete_queryset(request, queryset)
        refresh_framework(self, request)


def _review_one(modeladmin, request, item, review, note):
    """Apply a review service to one item and log it; None, with a message, if it was refused."""
    try:
        reviewed = review(item, reviewer=request.user, note=note)
    except ValidationError as error:
        modeladmin.message_user(request, f"{item}: {' '.join(error.messages)}", messages.WARNING)
        return None
    outcome = reviewed.get_review_state_display()
    modeladmin.log_change(request, reviewed, f"{outcome}: {note}" if note else outcome)
    return reviewed


def _review_each(modeladmin, request, queryset, review, notes):
    """Apply a review service to each selected item, reporting what happened to each."""
    done = sum(
        _review_one(modeladmin, request, item, review, notes.get(item.pk, "")) is not None
        for item in queryset
    )
    if done:
        modeladmin.message_user(request, f"Reviewed {done} item(s).", messages.SUCCESS)


@admin.action(description="Approve selected pending items", permissions=["review"])
def approve_selected(modeladmin, request, queryset):
    _review_each(modeladmin, request, queryset, APPROVERS[modeladmin.model], notes={})


@admin.action(
    description="Reject selected pending items (with a note for each)", permissions=["review"]
)
def reject_selected(modeladmin, request, queryset):
    """Ask for a note per item first; reject when the notes come back."""
    items = list(queryset)
    if "confirm" in request.POST:
        notes = {item.pk: request.POST.get(f"note-{item.pk}", "").strip() for item in items}
        missing = [item for item in items if not notes[item.pk]]
        if not missing:
            _review_each(modeladmin, request, queryset, REJECTERS[modeladmin.model], notes)
            return None
        modeladmin.message_user(request, "Every rejection needs a note.", messages.ERROR)
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": "Reject with a note",
        "opts": modeladmin.model._meta,
        "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        "rows": [(item, request.POST.get(f"note-{item.pk}", "")) for item in items],
    }
    return TemplateResponse(request, "admin/commitments/reject_with_note.html", context)


class ReviewedAdmin(admin.ModelAdmin):
    """Shared by the three kinds of submission: review actions, and no edits once in the log."""

    actions = [approve_selected, reject_selected]
    list_filter = ["review_state"]
    date_hierarchy = "submitted_at"

    readonly_fields = REVIEW_FIELDS

    def has_review_permission(self, request):
        return request.user.has_perm(REVIEW_PERMISSION)

    def get_urls(self):
        review = self.admin_site.admin_view(require_POST(self.review_view))
        info = self.opts.app_label, self.opts.model_name
        return [
            path("<path:object_id>/review/", review, name=f"{info[0]}_{info[1]}_review"),
            *super().get_urls(),
        ]

    def review_view(self, request, object_id):
        """Approve or reject one pending item from its own page, then go to the next one."""
        if not self.has_review_permission(request):
            raise PermissionDenied
        item = self.get_object(request, unquote(object_id))
        if item is None:
            raise Http404(f"No {self.opts.verbose_name} with id “{object_id}”.")
        decision = request.POST.get("decision")
        services = {"approve": APPROVERS, "reject": REJECTERS}
        if decision not in services:
            self.message_user(request, "Choose approve or reject.", messages.ERROR)
            return redirect(self._url("change", item.pk))
        note = request.POST.get("note", "").strip()
        reviewed = _review_one(self, request, item, services[decision][self.model], note)
        if reviewed is None:
            return redirect(self._url("change", item.pk))
        outcome = f"{reviewed}: {reviewed.get_review_state_display()}."
        self.message_user(request, outcome, messages.SUCCESS)
        following = self.model.objects.pending().filter(pk__gt=item.pk).order_by("pk").first()
        if following is None:
            return redirect(self._url("changelist") + f"?review_state={ReviewState.PENDING}")
        return redirect(self._url("change", following.pk))

    def _url(self, view, *args):
        return reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_{view}", args=args)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        item = self.get_object(request, object_id)
        extra_context = {
            **(extra_context or {}),
            "review_url": self._url("review", object_id),
            "can_review": (
                item is not None
                and item.review_state == ReviewState.PENDING
                and self.has_review_permission(request)
            ),
            **(self.review_context(item) if item is not None else {}),
        }
        return super().change_view(request, object_id, form_url, extra_context)

    def review_context(self, item):
        """What a reviewer needs beside the item to decide; each kind adds its own."""
        return {}

    def has_change_permission(self, request, obj=None):
        # Submissions are added, then reviewed by the actions; once in, they are only viewed.
        return obj is None and super().has_change_permission(request)

    def has_delete_permission(self, request, obj=None):
        return False

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions


class ProgressUpdateForm(forms.ModelForm):
    """What propose_update would refuse, said beside the fields before it is asked to."""

    user = None  # set by ProgressUpdateAdmin.get_form

    def clean(self):
        data = super().clean()
        city, evidence = data.get("city"), data.get("evidence")
        if city is None:
            return data
        try:
            check_may_act_on(self.user, city)
        except PermissionDenied as refusal:
            self.add_error("city", str(refusal))
        if evidence is not None:
            try:
                check_proposal_evidence(city, list(evidence))
            except ValidationError as error:
                self.add_error("evidence", error)
        return data


@admin.register(ProgressUpdate)
class ProgressUpdateAdmin(ReviewedAdmin):
    form = ProgressUpdateForm
    change_form_template = "admin/commitments/review_change_form.html"
    list_display = [
        "city",
        "action",
        "status",
        "happened_on",
        "review_state",
        "submitted_by",
        "reviewed_by",
    ]
    list_filter = ["review_state", "status", "action__principle", "city__state"]
    search_fields = ["city__name", "action__code", "action__title", "summary"]
    autocomplete_fields = ["city", "action", "evidence"]
    list_select_related = ["city", "action", "submitted_by", "reviewed_by"]

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        form.user = request.user
        return form

    def save_model(self, request, obj, form, change):
        # Entries made here go through the same service as advocates' (and its review rules).
        form.instance = propose_update(
            request.user,
            city=obj.city,
            action=obj.action,
            status=obj.status,
            summary=obj.summary,
            happened_on=obj.happened_on,
            evidence=form.cleaned_data["evidence"],
        )

    def save_related(self, request, form, formsets, change):
        pass  # propose_update has set the evidence.

    def review_context(self, update):
        """The proposal beside the city's current status for that action, and its evidence."""
        current = (
            CurrentStatus.objects.filter(city_id=update.city_id, action_id=update.action_id)
            .select_related("update", "update__reviewed_by")
            .first()
        )
        return {
            "proposal": update,
            "current": current.update if current else None,
            "evidence": update.evidence.order_by("-published_on"),
        }


@admin.register(Evidence)
class EvidenceAdmin(ReviewedAdmin):
    change_form_template = "admin/commitments/review_change_form.html"
    list_display = ["title", "city", "publisher", "published_on", "kind", "review_state"]
    list_filter = ["review_state", "kind", "city__state"]
    search_fields = ["title", "publisher", "url", "city__name", "excerpt"]
    autocomplete_fields = ["city"]
    list_select_related = ["city"]

    def save_model(self, request, obj, form, change):
        obj.submitted_by = request.user
        super().save_model(request, obj, form, change)
        if request.user.has_perm(PUBLISH_PERMISSION):
            publish_evidence(obj, request.user)

    def review_context(self, evidence):
        return {"evidence": [evidence], "used_by": evidence.updates.select_related("action")}


@admin.register(Pledge)
class PledgeAdmin(ReviewedAdmin):
    change_form_template = "admin/commitments/review_change_form.html"
    list_display = ["mayor", "status", "date", "review_state", "submitted_by"]
    list_filter = ["review_state", "status", "mayor__city__state"]
    search_fields = ["mayor__name", "mayor__city__name", "source_url"]
    autocomplete_fields = ["mayor"]
    list_select_related = ["mayor", "mayor__city", "submitted_by"]

    def save_model(self, request, obj, form, change):
        form.instance = record_pledge(
            request.user, obj.mayor, obj.status, obj.date, obj.source_url, obj.note
        )


@admin.register(CurrentStatus)
class CurrentStatusAdmin(admin.ModelAdmin):
    """Derived from the log by the review services; shown for reference, never edited."""

    list_display = ["city", "action", "status", "happened_on"]
    list_filter = ["action__principle", "update__status", "city__state"]
    search_fields = ["city__name", "action__code"]
    list_select_related = ["city", "action", "update"]

    @admin.display(ordering="update__status")
    def status(self, current):
        return current.update.get_status_display()

    @admin.display(ordering="update__happened_on")
    def happened_on(self, current):
        return current.update.happened_on

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.action(description="Verify the selected officials")
def verify_officials(modeladmin, request, queryset):
    """Staff vouch that each user speaks for their city: only then may they report for it."""
    verified = queryset.filter(verified_at__isnull=True).update(
        verified_by=request.user, verified_at=timezone.now()
    )
    modeladmin.message_user(request, f"{verified} official(s) verified.", messages.SUCCESS)


@admin.register(CityOfficial)
class CityOfficialAdmin(admin.ModelAdmin):
    """Who speaks for which city; staff verify each (the user also needs the "City officials"
    group, which holds the permission to report)."""

    list_display = ["user", "city", "verified_by", "verified_at"]
    list_filter = [("verified_at", admin.EmptyFieldListFilter)]
    autocomplete_fields = ["city"]
    raw_id_fields = ["user"]
    readonly_fields = ["verified_by", "verified_at"]
    actions = [verify_officials]


@admin.register(CityReport)
class CityReportAdmin(admin.ModelAdmin):
    """The cities' own reports, read-only: reviewers answer or confirm them from their queue."""

    list_display = ["city", "action", "status", "happened_on", "submitted_at", "answered_at"]
    list_select_related = ["city", "action"]
    list_filter = ["status", ("answered_at", admin.EmptyFieldListFilter)]

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False


@admin.action(description="Stop mail: the address bounced")
def mark_bounced(modeladmin, request, queryset):
    queryset.filter(stopped_at__isnull=True).update(
        stopped_at=timezone.now(), stop_reason=StopReason.BOUNCED
    )


@admin.action(description="Stop mail: the recipient complained")
def mark_complained(modeladmin, request, queryset):
    queryset.filter(stopped_at__isnull=True).update(
        stopped_at=timezone.now(), stop_reason=StopReason.COMPLAINED
    )


@admin.register(Follower)
class FollowerAdmin(admin.ModelAdmin):
    """Who follows what by email; staff only record bounces and complaints, which stop mail."""

    list_display = [
        "email", "city", "principle", "frequency", "language", "confirmed_at", "stopped_at",
        "stop_reason",
    ]  # fmt: skip
    list_select_related = ["city", "principle"]
    list_filter = [
        "frequency", "language", ("confirmed_at", admin.EmptyFieldListFilter), "stop_reason",
    ]  # fmt: skip
    search_fields = ["email"]
    actions = [mark_bounced, mark_complained]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
