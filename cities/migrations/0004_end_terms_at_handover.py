"""Before 0005 forbids overlapping terms: end each term that runs past its successor's start.

A separate migration, so that its row updates are committed before 0005 alters the table:
PostgreSQL refuses to alter a table with pending trigger events in the same transaction.
"""

from django.db import migrations


def end_terms_at_handover(apps, schema_editor):
    """Before the constraint: a term that runs past its successor's start ended at the handover.

    Any other overlap (a term inside another, two terms starting together) is left for a person
    to resolve: the migration stops and names the mayors.
    """
    Mayor = apps.get_model("cities", "Mayor")
    previous = None
    for mayor in Mayor.objects.order_by("city_id", "term_start", "id"):
        if previous is not None and previous.city_id == mayor.city_id:
            overlaps = previous.term_end is None or previous.term_end > mayor.term_start
            handover = (
                previous.term_end is not None
                and previous.term_start < mayor.term_start
                and (mayor.term_end is None or mayor.term_end > previous.term_end)
            )
            if overlaps and not handover:
                raise ValueError(
                    f"The terms of mayors {previous.pk} ({previous.name}) and {mayor.pk}"
                    f" ({mayor.name}) of city {mayor.city_id} overlap; correct them, then migrate."
                )
            if overlaps:
                previous.term_end = mayor.term_start
                previous.save(update_fields=["term_end"])
        previous = mayor


class Migration(migrations.Migration):
    dependencies = [("cities", "0003_police_violence_matching")]

    operations = [migrations.RunPython(end_terms_at_handover, migrations.RunPython.noop)]
