"""Current statuses carry their update's status and date, so scoring never reads the log."""

from django.db import migrations, models
from django.db.models import OuterRef, Subquery

STATUSES = [
    ("not_started", "Not started"),
    ("in_progress", "In progress"),
    ("partially_achieved", "Partially achieved"),
    ("achieved", "Achieved"),
    ("reversed", "Reversed"),
]


def copy_from_updates(apps, schema_editor):
    CurrentStatus = apps.get_model("commitments", "CurrentStatus")
    ProgressUpdate = apps.get_model("commitments", "ProgressUpdate")
    update = ProgressUpdate.objects.filter(pk=OuterRef("update_id"))
    # One statement: PostgreSQL will not alter a table with pending trigger events.
    CurrentStatus.objects.update(
        status=Subquery(update.values("status")[:1]),
        happened_on=Subquery(update.values("happened_on")[:1]),
    )


class Migration(migrations.Migration):
    dependencies = [("commitments", "0009_approved_with_evidence")]

    operations = [
        migrations.AddField(
            model_name="currentstatus",
            name="status",
            field=models.CharField(max_length=20, choices=STATUSES, null=True),
        ),
        migrations.AddField(
            model_name="currentstatus",
            name="happened_on",
            field=models.DateField(null=True),
        ),
        migrations.RunPython(copy_from_updates, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="currentstatus",
            name="status",
            field=models.CharField(max_length=20, choices=STATUSES),
        ),
        migrations.AlterField(
            model_name="currentstatus",
            name="happened_on",
            field=models.DateField(),
        ),
        migrations.AddConstraint(
            model_name="currentstatus",
            constraint=models.CheckConstraint(
                condition=models.Q(status__in=[value for value, _label in STATUSES]),
                name="current_status_status_valid",
            ),
        ),
    ]
