"""Writes: every act that changes the record, each in one transaction."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from cities.models import City
from commitments.models import (
    Action,
    CurrentStatus,
    Evidence,
    Pledge,
    Principle,
    ProgressUpdate,
    ReviewState,
)
from commitments.scoring import framework_totals


@transaction.atomic
def refresh_framework_totals():
    """Recompute each principle's exact-score constants after its actions or weights change."""
    weights = {}
    for number, weight in Action.objects.values_list("principle__number", "weight"):
        weights.setdefault(number, []).append(weight)
    totals = framework_totals(weights)
    for principle in Principle.objects.select_for_update():
        for field, value in totals[principle.number].items():
            setattr(principle, field, value)
        principle.save(update_fields=list(totals[principle.number]))


class AlreadyReviewed(ValidationError):
    pass


def _lock_city(city_id):
    """Serialise every change to one city's ratings, so concurrent reviews cannot interleave."""
    City.objects.select_for_update().filter(pk=city_id).first()


def _review(model, pk, reviewer, state, note):
    """Lock a pending submission and record its review; anything already reviewed is refused."""
    if state == ReviewState.REJECTED and not note.strip():
        raise ValidationError("A rejection needs a note saying why, for the advocate to read.")
    item = model.objects.select_for_update().get(pk=pk)
    if item.review_state != ReviewState.PENDING:
        raise AlreadyReviewed(f"“{item}” was already {item.get_review_state_display().lower()}.")
    item.review_state = state
    item.reviewed_by = reviewer
    item.reviewed_at = timezone.now()
    item.review_note = note.strip()
    item.save(update_fields=["review_state", "reviewed_by", "reviewed_at", "review_note"])
    return item


def refresh_current_status(city_id, action_id):
    """Make the latest approved update (by when it happened) the city's status for the action."""
    latest = (
        ProgressUpdate.objects.approved()
        .filter(city_id=city_id, action_id=action_id)
        .order_by("-happened_on", "-id")
        .first()
    )
    if latest is None:
        CurrentStatus.objects.filter(city_id=city_id, action_id=action_id).delete()
    else:
        CurrentStatus.objects.update_or_create(
            city_id=city_id, action_id=action_id, defaults={"update": latest}
        )


@transaction.atomic
def approve_update(update, reviewer, note=""):
    """Approve an update and the evidence that came with it; the score changes with it."""
    _lock_city(update.city_id)
    update = _review(ProgressUpdate, update.pk, reviewer, ReviewState.APPROVED, note)
    update.evidence.pending().update(
        review_state=ReviewState.APPROVED, reviewed_by=reviewer, reviewed_at=update.reviewed_at
    )
    refresh_current_status(update.city_id, update.action_id)
    return update


@transaction.atomic
def reject_update(update, reviewer, note):
    return _review(ProgressUpdate, update.pk, reviewer, ReviewState.REJECTED, note)


@transaction.atomic
def approve_evidence(evidence, reviewer, note=""):
    return _review(Evidence, evidence.pk, reviewer, ReviewState.APPROVED, note)


@transaction.atomic
def reject_evidence(evidence, reviewer, note):
    return _review(Evidence, evidence.pk, reviewer, ReviewState.REJECTED, note)


@transaction.atomic
def approve_pledge(pledge, reviewer, note=""):
    return _review(Pledge, pledge.pk, reviewer, ReviewState.APPROVED, note)


@transaction.atomic
def reject_pledge(pledge, reviewer, note):
    return _review(Pledge, pledge.pk, reviewer, ReviewState.REJECTED, note)


APPROVERS = {ProgressUpdate: approve_update, Evidence: approve_evidence, Pledge: approve_pledge}
REJECTERS = {ProgressUpdate: reject_update, Evidence: reject_evidence, Pledge: reject_pledge}


def check_may_act_on(user, city):
    if not City.objects.assigned_to(user).filter(pk=city.pk).exists():
        raise PermissionDenied(f"You are not assigned to {city}.")


@transaction.atomic
def propose_update(
    user, city, action, status, summary, happened_on, evidence=(), new_evidence=None
):
    """Log a proposed status for a city's action with its evidence.

    Advocates' proposals wait for review; staff's are approved on entry. Posting the same
    proposal twice returns the first one instead of logging a duplicate.
    """
    check_may_act_on(user, city)
    _lock_city(city.pk)
    duplicate = ProgressUpdate.objects.filter(
        submitted_by=user,
        city=city,
        action=action,
        status=status,
        summary=summary,
        happened_on=happened_on,
        review_state__in=[ReviewState.PENDING, ReviewState.APPROVED],
    ).first()
    if duplicate:
        return duplicate
    evidence = list(evidence)
    if new_evidence:
        evidence.append(Evidence.objects.create(city=city, submitted_by=user, **new_evidence))
    if not evidence:
        raise ValidationError("A proposal needs at least one piece of evidence.")
    if any(item.city_id != city.pk for item in evidence):
        raise ValidationError("Evidence must belong to the same city.")
    update = ProgressUpdate.objects.create(
        city=city,
        action=action,
        status=status,
        summary=summary,
        happened_on=happened_on,
        submitted_by=user,
    )
    update.evidence.set(evidence)
    if user.is_staff:
        approve_update(update, reviewer=user)
        update.refresh_from_db()
    return update


@transaction.atomic
def record_pledge(user, mayor, status, date, source_url="", note=""):
    """Record a step in a mayor's pledge outreach; advocates' records wait for review."""
    check_may_act_on(user, mayor.city)
    pledge, created = Pledge.objects.get_or_create(
        mayor=mayor,
        status=status,
        date=date,
        source_url=source_url,
        submitted_by=user,
        review_state__in=[ReviewState.PENDING, ReviewState.APPROVED],
        defaults={"note": note},
    )
    if created and user.is_staff:
        pledge = approve_pledge(pledge, reviewer=user)
    return pledge
