"""0003 rebuilt events_event on SQLite, and its full-text triggers went with the old table."""

from django.db import migrations

from events import fts


class Migration(migrations.Migration):
    dependencies = [("events", "0003_no_trap_name_index")]

    operations = [fts.triggers_again()]
