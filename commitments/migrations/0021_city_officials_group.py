"""The "City officials" group: report the city's own account of its actions."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUP = "City officials"


def create_city_officials(apps, schema_editor):
    # Permissions are normally created after all migrations; this group needs its one now.
    app_config = apps.get_app_config("commitments")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _created = Group.objects.get_or_create(name=GROUP)
    group.permissions.add(
        Permission.objects.get(content_type__app_label="commitments", codename="report_for_city")
    )


def remove_city_officials(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=GROUP).delete()


class Migration(migrations.Migration):
    dependencies = [("commitments", "0020_city_reports")]

    operations = [migrations.RunPython(create_city_officials, remove_city_officials)]
