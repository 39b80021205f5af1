"""Converting history from the row-per-minute tables (stats 0002) into compressed blocks.

Used by migration stats 0005, which runs outside one big transaction: each span of
time (an hour of raw chunks, a day of minute rows, 30 days of hour rows) is written
as blocks and deleted from the old table in one transaction. Stopped half-way, the
migration run again goes on with what the old tables still hold; nothing is read twice
or lost. Every value is kept: raw values were float32 and stay float32, rollups
keep min, avg, max and count (min and max were float32 values to begin with).
"""

from collections import defaultdict

import numpy as np
from django.db import transaction

from stats.history import blocks, sql

# old model name -> (tier, its time column)
OLD_TABLES = {"RawChunk": ("raw", "start"), "MinuteRollup": ("minute", "ts"), "HourRollup": ("hour", "ts")}
NEW_MODELS = {"raw": "RawBlock", "minute": "MinuteBlock", "hour": "HourBlock"}


def convert_all(apps, spans: int | None = None) -> int:
    """Convert every old table; with `spans`, stop after that many spans (to test resuming). Returns spans done."""
    done = 0
    for old_name, (tier, column) in OLD_TABLES.items():
        old, new = apps.get_model("stats", old_name), apps.get_model("stats", NEW_MODELS[tier])
        while spans is None or done < spans:
            first = old.objects.order_by(column).values_list(column, flat=True).first()
            if first is None:
                break
            low = blocks.span_start(first, tier)
            _convert_span(old, new, tier, column, low, low + blocks.SPANS[tier])
            done += 1
    return done


def _convert_span(old, new, tier: str, column: str, low: int, high: int) -> None:
    table = sql.quoted(old._meta.db_table)
    if tier == "raw":
        select = f"SELECT series_id, start, {sql.quoted('values')} FROM {table}"
    else:
        select = f"SELECT series_id, ts, {sql.quoted('min', 'avg', 'max', 'count')} FROM {table}"
    by_series = defaultdict(list)
    for series, ts, *rest in sql.rows(f"{select} WHERE {column} >= %s AND {column} < %s", [low, high]):
        by_series[series].append((ts, *rest))
    rows = [(series, low, _encode(tier, low, found)) for series, found in by_series.items()]
    with transaction.atomic():
        sql.upsert(new, rows)
        old.objects.filter(**{f"{column}__gte": low, f"{column}__lt": high}).delete()


def _encode(tier: str, low: int, found: list[tuple]) -> bytes:
    found.sort()
    if tier == "raw":
        seconds, values = [], []
        for start, data in found:  # float32 per second from `start`, NaN where none
            packed = np.frombuffer(bytes(data), "<f4")
            seconds.append(np.arange(start, start + len(packed), dtype=np.int64))
            values.append(packed.astype(np.float32))
        merged = blocks.latest_per_second(np.concatenate(seconds), np.concatenate(values))
        return blocks.encode_values(low, merged)
    ts, low_, avg, high_, count = (np.array(column) for column in zip(*found, strict=True))
    summaries = blocks.Summaries(
        ts.astype(np.int64), low_.astype(np.float32), avg.astype(np.float64), high_.astype(np.float32), count
    )
    return blocks.encode_summaries(low, summaries)
