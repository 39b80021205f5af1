"""Plain SQL for the hot paths of history, where the ORM's per-row work would dominate.

The statements are portable between SQLite (3.35+) and PostgreSQL: INSERT … ON
CONFLICT, RETURNING, and one statement reading the blocks of many series at once.
"""

from collections.abc import Iterable, Iterator

from django.db import connection

from stats.models import Block

# Rows per multi-row INSERT: 3 parameters each, well under SQLite's limit of 32,766.
INSERT_BATCH = 1000
# Series ids per SELECT: SQLite takes 32,766 parameters a statement, psycopg 65,535.
IDS_BATCH = 10_000


def quoted(*names: str) -> str:
    return ", ".join(connection.ops.quote_name(name) for name in names)


def rows(sql: str, params: list, batch: int = 10_000) -> Iterator[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        while found := cursor.fetchmany(batch):
            yield from found


def blocks(model: type[Block], low: int, high: float, ids: list[int] | None = None) -> Iterator[tuple[int, int, bytes]]:
    """(series_id, start, data) of the blocks starting in [low, high), of `ids` or of every series.

    One statement for up to IDS_BATCH series: a dashboard card is one round trip per tier.
    """
    select = f"SELECT series_id, start, data FROM {quoted(model._meta.db_table)} WHERE"
    if ids is None:
        yield from rows(f"{select} start >= %s AND start < %s", [low, high])
        return
    for begin in range(0, len(ids), IDS_BATCH):
        batch = ids[begin : begin + IDS_BATCH]
        marks = ", ".join(["%s"] * len(batch))
        yield from rows(f"{select} series_id IN ({marks}) AND start >= %s AND start < %s", [*batch, low, high])


def insert_new(model: type[Block], new: list[tuple[int, int, bytes]]) -> set[tuple[int, int]]:
    """Insert (series_id, start, data) rows; returns the keys of those that were already there."""
    table = quoted(model._meta.db_table)
    inserted = set()
    with connection.cursor() as cursor:
        for begin in range(0, len(new), INSERT_BATCH):
            batch = new[begin : begin + INSERT_BATCH]
            marks = ", ".join(["(%s, %s, %s)"] * len(batch))
            cursor.execute(
                f"INSERT INTO {table} (series_id, start, data) VALUES {marks} "
                "ON CONFLICT (series_id, start) DO NOTHING RETURNING series_id, start",
                [value for row in batch for value in row],
            )
            inserted.update(cursor.fetchall())
    return {(series, start) for series, start, _ in new} - inserted


def upsert(model: type[Block], entries: Iterable[tuple[int, int, bytes]]) -> int:
    """Insert or replace (series_id, start, data) rows; returns how many."""
    entries = list(entries)
    sql = (
        f"INSERT INTO {quoted(model._meta.db_table)} (series_id, start, data) VALUES (%s, %s, %s) "
        "ON CONFLICT (series_id, start) DO UPDATE SET data = excluded.data"
    )
    with connection.cursor() as cursor:
        cursor.executemany(sql, entries)
    return len(entries)


def delete(model: type[Block], keys: list[tuple[int, int]]) -> None:
    """Delete blocks by (series_id, start), each through the primary key."""
    table = quoted(model._meta.db_table)
    with connection.cursor() as cursor:
        # One by one: PostgreSQL scans the table for a long (a, b) IN list.
        cursor.executemany(f"DELETE FROM {table} WHERE series_id = %s AND start = %s", keys)
