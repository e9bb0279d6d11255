"""Indexes for the scorecard's orders that read no score: by name, and by population either
way (PostgreSQL only: SQLite cannot index NULLS LAST, and its few test cities need none)."""

from django.db import migrations, models

from pledge_tracker.postgresql import on_postgresql

BY_POPULATION = """
    CREATE INDEX city_by_population_desc ON cities_city (population DESC NULLS LAST, name, state);
    CREATE INDEX city_by_population ON cities_city (population NULLS LAST, name, state);
"""
NOT_BY_POPULATION = "DROP INDEX city_by_population_desc; DROP INDEX city_by_population;"


class Migration(migrations.Migration):
    dependencies = [
        ("cities", "0007_police_killing_date_indexes"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="city",
            index=models.Index(fields=["name", "state"], name="city_by_name"),
        ),
        migrations.RunPython(on_postgresql(BY_POPULATION), on_postgresql(NOT_BY_POPULATION)),
    ]
