"""Bring rows logged before the date and review rules within them (0005 then enforces them).

A separate migration, so that its row updates are committed before 0005 alters the tables:
PostgreSQL refuses to alter a table with pending trigger events in the same transaction.
"""

import datetime

import django.utils.timezone
from django.db import migrations

EARLIEST = datetime.date(1900, 1, 1)
DATED = {"ProgressUpdate": "happened_on", "Evidence": "published_on", "Pledge": "date"}


def repair_before_guarding(apps, schema_editor):
    """Bring rows logged before these rules within them, before the database enforces them.

    A date after its submission day becomes the submission day and one before 1900 becomes
    1 January 1900; the statuses they decide are chosen again. Pending evidence of updates that
    were all rejected is rejected as the update was (reject_update does so from now on).
    """
    touched = set()
    for name, field in DATED.items():
        model = apps.get_model("commitments", name)
        for item in model.objects.all().iterator():
            submitted_on = django.utils.timezone.localdate(item.submitted_at)
            when = getattr(item, field)
            fixed = min(max(when, EARLIEST), submitted_on)
            if fixed != when:
                model.objects.filter(pk=item.pk).update(**{field: fixed})
                if name == "ProgressUpdate":
                    touched.add((item.city_id, item.action_id))
    rechoose_current_statuses(apps, touched)
    reject_orphaned_evidence(apps)


def rechoose_current_statuses(apps, pairs):
    ProgressUpdate = apps.get_model("commitments", "ProgressUpdate")
    CurrentStatus = apps.get_model("commitments", "CurrentStatus")
    for city_id, action_id in pairs:
        latest = (
            ProgressUpdate.objects.filter(
                city_id=city_id, action_id=action_id, review_state="approved"
            )
            .order_by("-happened_on", "-reviewed_at", "-id")
            .first()
        )
        if latest is not None:
            CurrentStatus.objects.filter(city_id=city_id, action_id=action_id).update(
                update=latest
            )


def reject_orphaned_evidence(apps):
    Evidence = apps.get_model("commitments", "Evidence")
    orphans = Evidence.objects.filter(review_state="pending", updates__isnull=False).exclude(
        updates__review_state__in=["pending", "approved"]
    )
    for evidence in orphans.distinct():
        rejection = evidence.updates.order_by("-reviewed_at").first()
        evidence.review_state = "rejected"
        evidence.reviewed_by_id = rejection.reviewed_by_id
        evidence.reviewed_at = max(rejection.reviewed_at, evidence.submitted_at)
        evidence.review_note = rejection.review_note
        evidence.save(update_fields=["review_state", "reviewed_by", "reviewed_at", "review_note"])


class Migration(migrations.Migration):
    dependencies = [("commitments", "0003_exact_scores")]

    operations = [migrations.RunPython(repair_before_guarding, migrations.RunPython.noop)]
