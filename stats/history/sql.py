"""Plain SQL for the hot paths of history, where the ORM's per-row work would dominate.

The statements are portable between SQLite and PostgreSQL: integer division of
integers, and INSERT … ON CONFLICT … DO UPDATE (SQLite 3.24+).
"""

from collections.abc import Iterable, Iterator

from django.db import connection

from stats.models import RawChunk, Rollup

ROLLUP_COLUMNS = ("series_id", "ts", "min", "avg", "max", "count")


def quoted(*names: str) -> str:
    return ", ".join(connection.ops.quote_name(name) for name in names)


def rows(sql: str, params: list, batch: int = 10_000) -> Iterator[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        while found := cursor.fetchmany(batch):
            yield from found


def upsert_rollups(model: type[Rollup], buckets: Iterable[tuple]) -> int:
    """Insert or replace (series_id, ts, min, avg, max, count) rows; returns how many."""
    buckets = list(buckets)
    placeholders = ", ".join(["%s"] * len(ROLLUP_COLUMNS))
    updates = ", ".join(f"{quoted(c)} = excluded.{quoted(c)}" for c in ROLLUP_COLUMNS[2:])
    sql = (
        f"INSERT INTO {quoted(model._meta.db_table)} ({quoted(*ROLLUP_COLUMNS)}) VALUES ({placeholders}) "
        f"ON CONFLICT ({quoted('series_id', 'ts')}) DO UPDATE SET {updates}"
    )
    with connection.cursor() as cursor:
        cursor.executemany(sql, buckets)
    return len(buckets)


def chunks(start: int, end: float, ids: list[int] | None = None) -> Iterator[tuple[int, int, bytes]]:
    """(series_id, start, values) of the raw chunks starting in [start, end), of `ids` or of every series."""
    table, values = quoted(RawChunk._meta.db_table), quoted("values")
    where, params = "start >= %s AND start < %s", [start, end]
    if ids is not None:
        where = f"series_id IN ({', '.join(['%s'] * len(ids))}) AND {where}"
        params = [*ids, *params]
    return rows(f"SELECT series_id, start, {values} FROM {table} WHERE {where}", params)


def delete_chunks(keys: list[tuple[int, int]]) -> None:
    """Delete raw chunks by (series_id, start), each through the primary key."""
    table = quoted(RawChunk._meta.db_table)
    with connection.cursor() as cursor:
        cursor.executemany(f"DELETE FROM {table} WHERE series_id = %s AND start = %s", keys)


def bucketed_rollups(
    model: type[Rollup], ids: list[int], low: int, high: float, first: int, width: int
) -> Iterator[tuple]:
    """(series_id, bucket_ts, min, avg, max, count) of a rollup tier, merged into buckets by the database."""
    marks = ", ".join(["%s"] * len(ids))
    ts, low_, avg, high_, count = (quoted(c) for c in ("ts", "min", "avg", "max", "count"))
    sql = (
        f"SELECT series_id, ({ts} - %s) / %s AS bucket, MIN({low_}), SUM({avg} * {count}) / SUM({count}), "
        f"MAX({high_}), SUM({count}) FROM {quoted(model._meta.db_table)} "
        f"WHERE series_id IN ({marks}) AND {ts} >= %s AND {ts} < %s GROUP BY series_id, bucket"
    )
    for series, bucket, *summary in rows(sql, [first, width, *ids, low, high]):
        yield series, first + bucket * width, tuple(summary)
