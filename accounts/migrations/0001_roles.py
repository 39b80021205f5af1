"""Creates the viewer, operator and admin groups (accounts.roles) with their permissions."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

from accounts import roles


def create_roles(apps, schema_editor):
    # Permissions are made after migrate (post_migrate); a fresh database has none yet.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    roles.sync_roles(apps.get_model("auth", "Group"), apps.get_model("auth", "Permission"))


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=roles.ROLES).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("monitor", "0006_permissions"),
        ("alerts", "0002_permissions"),
        ("chat", "0001_initial"),
        ("api", "0001_initial"),
        ("stats", "0002_history_tiers"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
