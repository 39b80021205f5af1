"""The SQL of full-text search over events (migrations 0002 and 0004; events.search queries it).

SQLite: an FTS5 table over events_event's text, kept by triggers. A migration that alters
events_event makes SQLite rebuild the table, and the triggers go with the old one: such a
migration ends with `triggers_again()`. PostgreSQL: a GIN index on to_tsvector('simple', text).
"""

from django.db import migrations

TRIGGERS = [
    "CREATE TRIGGER IF NOT EXISTS events_event_fts_insert AFTER INSERT ON events_event BEGIN "
    "INSERT INTO events_event_fts(rowid, text) VALUES (new.id, new.text); END",
    "CREATE TRIGGER IF NOT EXISTS events_event_fts_delete AFTER DELETE ON events_event BEGIN "
    "INSERT INTO events_event_fts(events_event_fts, rowid, text) VALUES ('delete', old.id, old.text); END",
    "CREATE TRIGGER IF NOT EXISTS events_event_fts_update AFTER UPDATE OF text ON events_event BEGIN "
    "INSERT INTO events_event_fts(events_event_fts, rowid, text) VALUES ('delete', old.id, old.text); "
    "INSERT INTO events_event_fts(rowid, text) VALUES (new.id, new.text); END",
]
SQLITE = [
    "CREATE VIRTUAL TABLE events_event_fts USING fts5(text, content='events_event', content_rowid='id')",
    *TRIGGERS,
]
SQLITE_UNDO = [
    "DROP TRIGGER IF EXISTS events_event_fts_update",
    "DROP TRIGGER IF EXISTS events_event_fts_delete",
    "DROP TRIGGER IF EXISTS events_event_fts_insert",
    "DROP TABLE IF EXISTS events_event_fts",
]
POSTGRESQL = ["CREATE INDEX events_event_text_search ON events_event USING GIN (to_tsvector('simple', text))"]
POSTGRESQL_UNDO = ["DROP INDEX IF EXISTS events_event_text_search"]
REINDEX = "INSERT INTO events_event_fts(events_event_fts) VALUES ('rebuild')"


def run(statements: dict):
    """A RunPython function executing the statements of the database's vendor."""

    def apply(apps, schema_editor):
        for statement in statements.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return apply


def triggers_again() -> migrations.RunPython:
    """Restores the SQLite triggers after a rebuild of events_event, and reindexes its rows."""
    return migrations.RunPython(run({"sqlite": [*TRIGGERS, REINDEX]}), migrations.RunPython.noop)
