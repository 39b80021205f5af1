"""Full-text search over events' text: an FTS5 table kept by triggers on SQLite, a GIN index
on PostgreSQL (events.search queries either)."""

from django.db import migrations

SQLITE = [
    "CREATE VIRTUAL TABLE events_event_fts USING fts5(text, content='events_event', content_rowid='id')",
    "CREATE TRIGGER events_event_fts_insert AFTER INSERT ON events_event BEGIN "
    "INSERT INTO events_event_fts(rowid, text) VALUES (new.id, new.text); END",
    "CREATE TRIGGER events_event_fts_delete AFTER DELETE ON events_event BEGIN "
    "INSERT INTO events_event_fts(events_event_fts, rowid, text) VALUES ('delete', old.id, old.text); END",
    "CREATE TRIGGER events_event_fts_update AFTER UPDATE OF text ON events_event BEGIN "
    "INSERT INTO events_event_fts(events_event_fts, rowid, text) VALUES ('delete', old.id, old.text); "
    "INSERT INTO events_event_fts(rowid, text) VALUES (new.id, new.text); END",
]
SQLITE_UNDO = [
    "DROP TRIGGER IF EXISTS events_event_fts_update",
    "DROP TRIGGER IF EXISTS events_event_fts_delete",
    "DROP TRIGGER IF EXISTS events_event_fts_insert",
    "DROP TABLE IF EXISTS events_event_fts",
]
POSTGRESQL = ["CREATE INDEX events_event_text_search ON events_event USING GIN (to_tsvector('simple', text))"]
POSTGRESQL_UNDO = ["DROP INDEX IF EXISTS events_event_text_search"]


def run(statements: dict):
    def apply(apps, schema_editor):
        for statement in statements.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return apply


class Migration(migrations.Migration):
    dependencies = [("events", "0001_initial")]

    operations = [
        migrations.RunPython(
            run({"sqlite": SQLITE, "postgresql": POSTGRESQL}),
            run({"sqlite": SQLITE_UNDO, "postgresql": POSTGRESQL_UNDO}),
        )
    ]
