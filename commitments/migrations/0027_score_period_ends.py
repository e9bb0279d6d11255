"""Each score period keeps where it ends, so that the cities' periods at a moment are found in
one index of the spans (PostgreSQL: a GiST index of each span and its city, which serves every
city at once and a page of cities one by one; SQLite reads the few test cities' periods without
one). The periods are computed again after `migrate`, with their ends."""

from django.db import migrations, models

from pledge_tracker.postgresql import on_postgresql

SPAN_INDEX = """
    CREATE INDEX score_period_span ON commitments_scoreperiod
    USING gist (tstzrange(public_from, public_until, '(]'), city_id);
"""
NO_SPAN_INDEX = "DROP INDEX score_period_span;"


def compute_periods_again(apps, schema_editor):
    """Unmarked as built: `migrate` computes every period again (`services.ensure_score_periods`)."""
    apps.get_model("commitments", "ScorePeriodsBuilt").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("cities", "0008_city_sort_indexes"),
        ("commitments", "0026_approved_pledges_index"),
    ]

    operations = [
        migrations.AddField(
            model_name="scoreperiod",
            name="public_until",
            field=models.DateTimeField(null=True),
        ),
        migrations.AddConstraint(
            model_name="scoreperiod",
            constraint=models.CheckConstraint(
                condition=models.Q(public_until__isnull=True)
                | models.Q(public_until__gt=models.F("public_from")),
                name="score_period_ends_after_it_starts",
            ),
        ),
        migrations.RunPython(compute_periods_again, migrations.RunPython.noop),
        migrations.RunPython(on_postgresql(SPAN_INDEX), on_postgresql(NO_SPAN_INDEX)),
    ]
