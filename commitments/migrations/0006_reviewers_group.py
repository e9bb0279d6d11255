"""The "Reviewers" group: review submissions, act on every city, publish their own work."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUP = "Reviewers"
PERMISSIONS = [
    ("commitments", "review"),
    ("commitments", "publish_without_review"),
    ("cities", "act_on_every_city"),
    *(("commitments", f"view_{model}") for model in ["progressupdate", "evidence", "pledge"]),
    *(("commitments", f"add_{model}") for model in ["progressupdate", "evidence", "pledge"]),
]


def create_reviewers(apps, schema_editor):
    # Permissions are normally created after all migrations; this group needs them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _created = Group.objects.get_or_create(name=GROUP)
    for app_label, codename in PERMISSIONS:
        group.permissions.add(
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
        )


def remove_reviewers(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=GROUP).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("cities", "0002_act_on_every_city"),
        ("commitments", "0005_append_only_and_dated"),
    ]

    operations = [migrations.RunPython(create_reviewers, remove_reviewers)]
