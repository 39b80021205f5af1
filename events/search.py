"""Text search over events: SQLite's FTS5 table or PostgreSQL's full text (migration 0002).

The words typed are matched as words, all of them, in any order: no query syntax
reaches the engine (FTS5's operators are quoted away; PostgreSQL gets plainto_tsquery).
"""

import re

from django.db import connection
from django.db.models import QuerySet
from django.db.models.expressions import RawSQL

_WORD = re.compile(r"\w+", re.UNICODE)


def matching(events: QuerySet, text: str) -> QuerySet:
    words = _WORD.findall(text)[:20]
    if not words:
        return events
    if connection.vendor == "postgresql":
        query = "SELECT id FROM events_event WHERE to_tsvector('simple', text) @@ plainto_tsquery('simple', %s)"
        return events.filter(id__in=RawSQL(query, [" ".join(words)]))
    if connection.vendor == "sqlite":
        phrase = " ".join(f'"{word}"' for word in words)  # each word quoted: FTS5 reads no operator
        query = "SELECT rowid FROM events_event_fts WHERE events_event_fts MATCH %s"
        return events.filter(id__in=RawSQL(query, [phrase]))
    for word in words:
        events = events.filter(text__icontains=word)
    return events
