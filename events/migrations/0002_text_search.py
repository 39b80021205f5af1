"""Full-text search over events' text (events.fts holds the SQL)."""

from django.db import migrations

from events import fts


class Migration(migrations.Migration):
    dependencies = [("events", "0001_initial")]

    operations = [
        migrations.RunPython(
            fts.run({"sqlite": fts.SQLITE, "postgresql": fts.POSTGRESQL}),
            fts.run({"sqlite": fts.SQLITE_UNDO, "postgresql": fts.POSTGRESQL_UNDO}),
        )
    ]
