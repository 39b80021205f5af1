import django.db.models.deletion
from django.db import migrations, models

# Ordinary (rowid) tables on SQLite, unlike the row-per-minute tables of 0002: a WITHOUT
# ROWID table keeps at most about 1 KB of a row in its b-tree page and spills the rest
# into an overflow page of its own, so an hour block of 1.3 KB took two pages. Measured
# with bench/history.py (3 days, 10 hosts): 0.36 bytes a raw value clustered, 0.19 not;
# queries as fast.
BLOCKS = ["RawBlock", "MinuteBlock", "HourBlock"]


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
    ]
