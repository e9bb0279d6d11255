"""The city's own account: its officials' reports beside the independent rating, and the
reviewers' answers. A report never changes a score (`commitments.scores` never reads it)."""

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cities.validators import validate_printable
from commitments.models import (
    REPORT_FOR_CITY_PERMISSION,
    CityOfficial,
    CityReport,
    CurrentStatus,
    EvidenceKind,
    ReviewState,
    start_of_day_after,
)
from commitments.services import approve_update, check_may_review, propose_update

NOT_IN_QUEUE = gettext_lazy("That report is not in the queue any more.")
LATER_STEP_STANDS = gettext_lazy(
    "The independent record has a later step on this action than what the city reports, so "
    "confirming would not change the rating: answer the report instead."
)


def official_city(user):
    """The city a user verifiably speaks for, or None."""
    if not user.is_authenticated or not user.has_perm(REPORT_FOR_CITY_PERMISSION):
        return None
    official = (
        CityOfficial.objects.filter(user=user, verified_at__isnull=False)
        .select_related("city")
        .first()
    )
    return official.city if official else None


def check_may_report_for(user, city):
    if official_city(user) != city:
        raise PermissionDenied(
            _("Only a verified official of %(city)s may report for it.") % {"city": city}
        )


@transaction.atomic
def report_for_city(user, city, action, status, summary, happened_on, evidence_url):
    """Log the city's own account of an action, as its verified official gives it."""
    check_may_report_for(user, city)
    report = CityReport(city=city, action=action, status=status, summary=summary,
                        happened_on=happened_on, evidence_url=evidence_url,
                        submitted_by=user)  # fmt: skip
    report.submitted_at = timezone.now()  # set on save; the date checks compare with it
    report.full_clean()
    report.save()
    return report


def verified_officials(day=None):
    """The officials staff have verified (by the end of `day`)."""
    verified = CityOfficial.objects.filter(verified_at__isnull=False)
    return verified if day is None else verified.filter(verified_at__lt=start_of_day_after(day))


def has_verified_official(city, day=None):
    """Whether staff have verified an official of the city (by the end of `day`)."""
    return verified_officials(day).filter(city=city).exists()


def disagreements():
    """Latest city reports, unanswered, whose status differs from the independent rating
    (`independent`: None when there is none), oldest first; one query to list or count."""
    newer = CityReport.objects.filter(
        Q(submitted_at__gt=OuterRef("submitted_at"))
        | Q(submitted_at=OuterRef("submitted_at"), pk__gt=OuterRef("pk")),
        city=OuterRef("city"),
        action=OuterRef("action"),
    )
    rating = CurrentStatus.objects.filter(city=OuterRef("city"), action=OuterRef("action"))
    return (
        CityReport.objects.filter(~Exists(newer), answered_at__isnull=True)
        .annotate(independent=Subquery(rating.values("status")[:1]))
        .exclude(status=Coalesce("independent", Value("")))  # no status is ""
        .select_related("city", "action")
        .order_by("submitted_at", "id")
    )


def lock_open_disagreement(report):
    """The report, locked until the decision on it commits, if it is still in the queue: the
    city's latest on its action, unanswered, and disagreeing with the rating. A decision taken
    from an old page, or a second one, is refused."""
    report = CityReport.objects.select_for_update().get(pk=report.pk)
    if not disagreements().filter(pk=report.pk).exists():
        raise ValidationError(NOT_IN_QUEUE)
    return report


@transaction.atomic
def answer_report(report, reviewer, answer):
    """A reviewer's public answer to a city's report, saying why the rating stands."""
    check_may_review(reviewer)
    report = lock_open_disagreement(report)
    if not answer.strip():
        raise ValidationError(_("An answer needs a reason, for the city and the public to read."))
    validate_printable(answer)
    report.answer, report.answered_by = answer.strip(), reviewer
    report.answered_at = timezone.now()
    report.save(update_fields=["answer", "answered_by", "answered_at"])
    return report


@transaction.atomic
def confirm_report(report, reviewer, note=""):
    """The reviewer confirms the city's claim: an independent update, on the report's evidence,
    proposed and approved by the reviewer through the usual services."""
    check_may_review(reviewer)
    report = lock_open_disagreement(report)
    with translation.override(settings.LANGUAGE_CODE):  # the record's language, not the page's
        title = _("The city's report on %(code)s") % {"code": report.action.code}
    evidence = {"title": title,
                "url": report.evidence_url, "publisher": str(report.city),
                "published_on": report.happened_on, "kind": EvidenceKind.STATEMENT}  # fmt: skip
    update = propose_update(reviewer, report.city, report.action, report.status,
                            report.summary, report.happened_on, new_evidence=evidence,
                            note=note)  # fmt: skip
    if update.review_state == ReviewState.PENDING:
        update = approve_update(update, reviewer, note)
    rating = CurrentStatus.objects.get(city=report.city, action=report.action)
    if rating.status != report.status:  # a later step stands: nothing is kept of this
        raise ValidationError(LATER_STEP_STANDS)
    return update
