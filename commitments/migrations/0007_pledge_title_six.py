"""Commitment 6 takes its title as the pledge writes it, so /pledge/ reproduces it exactly."""

from django.db import migrations

PLEDGE_TITLE = "End the criminalization of communities of color"
EARLIER_TITLE = "End the Criminalization of Communities of Color"


def retitle(title):
    def update(apps, schema_editor):
        apps.get_model("commitments", "Principle").objects.filter(number=6).update(title=title)

    return update


class Migration(migrations.Migration):
    dependencies = [("commitments", "0006_reviewers_group")]

    operations = [migrations.RunPython(retitle(PLEDGE_TITLE), retitle(EARLIER_TITLE))]
