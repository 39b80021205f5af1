"""The device models live in monitor.devices and stay the monitor app's: same tables, no migration."""

import pytest
from django.apps import apps
from django.core.management import call_command

from monitor import models as monitor_models
from monitor.devices import models as device_models

TABLES = {"Device": "monitor_device", "Interface": "monitor_interface", "Neighbour": "monitor_neighbour"}


@pytest.mark.parametrize("name", TABLES)
def test_a_device_model_is_the_monitor_apps_with_its_own_table(name):
    model = apps.get_model("monitor", name)
    assert model is getattr(device_models, name) is getattr(monitor_models, name)
    assert model._meta.db_table == TABLES[name]


@pytest.mark.django_db
def test_the_models_need_no_new_migration():
    # Exits with status 1 when the models and the migrations disagree.
    call_command("makemigrations", "monitor", check=True, dry_run=True, verbosity=0)
