# The monitor app's changes for sites and for routing sessions, address tables and inventory, joined.

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("monitor", "0012_sites"),
        ("monitor", "0015_vlan"),
    ]

    operations = []
