from django.db import migrations

from stats.history.convert import convert_all


def convert(apps, schema_editor):
    convert_all(apps)


class Migration(migrations.Migration):
    # Each span of time commits on its own: a conversion stopped half-way resumes where it was.
    atomic = False

    dependencies = [
        ("stats", "0004_history_blocks"),
    ]

    operations = [
        migrations.RunPython(convert, migrations.RunPython.noop, elidable=False),
    ]
