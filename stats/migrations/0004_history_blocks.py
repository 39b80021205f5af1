import django.db.models.deletion
from django.db import migrations, models

from stats.history import schema

BLOCKS = ["RawBlock", "MinuteBlock", "HourBlock"]


def cluster_on_sqlite(apps, schema_editor):
    schema.cluster_on_sqlite(apps, schema_editor, BLOCKS)


def block(name: str) -> migrations.CreateModel:
    return migrations.CreateModel(
        name=name,
        fields=[
            (
                "pk",
                models.CompositePrimaryKey(
                    "series", "start", blank=True, editable=False, primary_key=True, serialize=False
                ),
            ),
            (
                "start",
                models.IntegerField(help_text="unix seconds; what the block holds is at or after it, within its span"),
            ),
            ("data", models.BinaryField()),
            (
                "series",
                models.ForeignKey(
                    db_constraint=False,
                    db_index=False,
                    on_delete=django.db.models.deletion.CASCADE,
                    related_name="+",
                    to="stats.series",
                ),
            ),
        ],
    )


class Migration(migrations.Migration):
    dependencies = [
        ("stats", "0003_agent_stream_and_credentials"),
    ]

    operations = [
        *(block(name) for name in BLOCKS),
        *(
            migrations.AddIndex(
                model_name=name.lower(), index=models.Index(fields=["start"], name=f"{name.lower()}_start")
            )
            for name in BLOCKS
        ),
        migrations.RunPython(cluster_on_sqlite, migrations.RunPython.noop),
    ]
