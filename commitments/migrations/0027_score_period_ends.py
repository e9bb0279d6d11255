"""Each score period keeps where it ends, and on PostgreSQL no two periods of a city overlap (an
exclusion constraint, checked as each transaction commits: a write adds a period, then ends the
one before). Its GiST index of each span and its city finds the cities' periods at a moment:
every city at once, or a page of cities one by one. SQLite reads the few test cities' periods
without it.

The periods are derived from the rating periods: deleted here, and computed again by `migrate`
with their ends (`services.ensure_score_periods`)."""

from django.db import migrations, models

from pledge_tracker.postgresql import on_postgresql

NO_OVERLAP = """
    ALTER TABLE commitments_scoreperiod ADD CONSTRAINT score_periods_do_not_overlap
    EXCLUDE USING gist (tstzrange(public_from, public_until, '(]') WITH &&, city_id WITH =)
    DEFERRABLE INITIALLY DEFERRED;
"""
MAY_OVERLAP = "ALTER TABLE commitments_scoreperiod DROP CONSTRAINT score_periods_do_not_overlap;"


def compute_periods_again(apps, schema_editor):
    apps.get_model("commitments", "ScorePeriod").objects.all().delete()
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
        migrations.RunPython(on_postgresql(NO_OVERLAP), on_postgresql(MAY_OVERLAP)),
    ]
