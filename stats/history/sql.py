"""Plain SQL for the hot paths of history, where the ORM's per-row work would dominate.

The statements are portable between SQLite (3.35+) and PostgreSQL: INSERT … ON
CONFLICT, RETURNING, and one statement reading the blocks of many series at once.
"""

from collections.abc import Iterable, Iterator

from django.db import connection

from stats.models import Block, Series

# Series ids per SELECT: SQLite takes 32,766 parameters a statement, psycopg 65,535.
IDS_BATCH = 8192
# A power of two, and so is every shorter IN list (see `padded`).
# Python's sqlite3 keeps each connection's last 128 statements compiled, and one of
# thousands of parameters held about half a MiB there: 150 such statements of different lengths
# took a connection 75 MiB, none with the cache off. A text per length lets a process
# that reads and writes history grow by that much; powers of two leave at most 14 texts.


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
        batch = padded(ids[begin : begin + IDS_BATCH])
        marks = ", ".join(["%s"] * len(batch))
        yield from rows(f"{select} series_id IN ({marks}) AND start >= %s AND start < %s", [*batch, low, high])


def series_of(sources: list[str]) -> Iterator[tuple[str, str, str, int]]:
    """(source, metric, label, id) of every series of these sources. The ingest reads every series
    of the agents it writes each second: through the ORM, building its rows took a tenth of its time."""
    select = f"SELECT source, metric, label, id FROM {quoted(Series._meta.db_table)} WHERE source IN"
    for begin in range(0, len(sources), IDS_BATCH):
        batch = padded(sources[begin : begin + IDS_BATCH])
        yield from rows(f"{select} ({', '.join(['%s'] * len(batch))})", batch)


def blocks_of_range(
    model: type[Block], first_id: int, end_id: int, low: int, high: int = 2**31
) -> Iterator[tuple[int, int, bytes]]:
    """(series_id, start, data) of the blocks of series ids in [first_id, end_id) starting in [low, high):
    one range scan of the primary key."""
    select = f"SELECT series_id, start, data FROM {quoted(model._meta.db_table)}"
    where = "series_id >= %s AND series_id < %s AND start >= %s AND start < %s"
    yield from rows(f"{select} WHERE {where}", [first_id, end_id, low, high])


def series_with_unaligned(model: type[Block], low: int, high: int, every: int) -> list[int]:
    """Ids of the series with a block starting in [low, high) but not at a multiple of `every`, sorted."""
    table = quoted(model._meta.db_table)
    found = rows(f"SELECT DISTINCT series_id FROM {table} WHERE start >= %s AND start < %s AND start %% %s != 0",
                 [low, high, every])  # fmt: skip
    return sorted(series for (series,) in found)


def delete_after(model: type[Block], ids: list[int], low: int, high: int) -> None:
    """Delete the blocks of `ids` starting in (low, high): what a window rolled up again replaces."""
    table = quoted(model._meta.db_table)
    with connection.cursor() as cursor:
        for begin in range(0, len(ids), IDS_BATCH):
            batch = padded(ids[begin : begin + IDS_BATCH])
            marks = ", ".join(["%s"] * len(batch))
            cursor.execute(f"DELETE FROM {table} WHERE series_id IN ({marks}) AND start > %s AND start < %s",
                           [*batch, low, high])  # fmt: skip


def padded(ids: list[int]) -> list[int]:
    """`ids` (not empty) made up to a power of two by repeating the last: an IN list matches the same rows."""
    return ids + ids[-1:] * ((1 << (len(ids) - 1).bit_length()) - len(ids))


def insert_new(model: type[Block], new: list[tuple[int, int, bytes]]) -> set[tuple[int, int]]:
    """Insert (series_id, start, data) rows; returns the keys of those already there with other data.

    One statement run for every row (executemany), and no RETURNING: the ingest writes a row per
    series a second, and multi-row statements returning what they inserted cost a quarter more.
    Only when fewer rows went in than given are the stored blocks read to tell which.
    """
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {quoted(model._meta.db_table)} (series_id, start, data) VALUES (%s, %s, %s) "
            "ON CONFLICT (series_id, start) DO NOTHING",
            new,
        )
        if cursor.rowcount == len(new):
            return set()
    given = {(series, start): data for series, start, data in new}
    ids, starts = sorted({series for series, _, _ in new}), [start for _, start, _ in new]
    stored = blocks(model, min(starts), max(starts) + 1, ids)
    # A block equal to the one given needs no merging, whether it went in now or was there already.
    found = {(series, start): bytes(data) for series, start, data in stored}
    return {key for key, data in given.items() if found.get(key, data) != data}


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
