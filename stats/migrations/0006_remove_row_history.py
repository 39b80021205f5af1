from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("stats", "0005_convert_history"),
    ]

    operations = [migrations.DeleteModel(name=name) for name in ("RawChunk", "MinuteRollup", "HourRollup")]
