"""Rolling raw chunks up into minutes and minutes into hours (a Celery task every minute)."""

from collections import defaultdict
from collections.abc import Callable, Iterator

from django.conf import settings
from django.db import transaction
from django.db.models import Min

from stats.history import sql
from stats.history.buckets import Summary, bucket_start, rollup, summarize
from stats.history.chunks import NAN, pack, unpack
from stats.history.ingest import mark_stale
from stats.models import HourRollup, MinuteRollup, RawChunk, Rollup, RollupCursor

Reader = Callable[[int, int], Iterator[tuple[int, int, Summary]]]

# Buckets rolled up per transaction: bounds memory on a first run over a long backlog.
WINDOW = {"minute": 6 * 3600, "hour": 7 * 86_400}


# Chunk rows rewritten per statement when compacting.
COMPACT_BATCH = 500


def roll_up(now: float) -> dict[str, int]:
    """Roll up every complete bucket not done yet, and those late data made stale.

    A minute is complete once agents have flushed it (SAMPLE_PERSIST_EVERY plus a
    margin); an hour once its minutes are rolled up. Before a minute is rolled up,
    its chunks (one per agent flush) are compacted into one per series.
    Returns buckets written per tier.
    """
    grace = settings.SAMPLE_PERSIST_EVERY + 20
    minutes = _advance("minute", 60, _chunk_summaries, MinuteRollup, until=now - grace, source_start=_first_chunk)
    minute_done = RollupCursor.objects.get(tier="minute").done_until
    hours = _advance("hour", 3600, _minute_summaries, HourRollup, until=minute_done, source_start=_first_minute)
    return {"minute": minutes, "hour": hours}


def _advance(
    tier: str, width: int, read: Reader, model: type[Rollup], until: float, source_start: Callable[[], int | None]
) -> int:
    cursor, _ = RollupCursor.objects.get_or_create(tier=tier)
    # Take the redo mark before reading: data arriving meanwhile sets it again.
    RollupCursor.objects.filter(pk=cursor.pk, redo_from=cursor.redo_from).update(redo_from=None)
    start = cursor.done_until if cursor.redo_from is None else min(cursor.done_until, cursor.redo_from)
    if start == 0:  # never rolled up: begin with the oldest data there is
        start = source_start()
        if start is None:
            return 0
    start, end = bucket_start(start, width), bucket_start(until, width)
    written = 0
    for window_start in range(start, end, WINDOW[tier]):
        window_end = min(end, window_start + WINDOW[tier])
        if tier == "minute":
            compact(window_start, window_end)
        buckets = rollup(read(window_start, window_end), width)
        with transaction.atomic():  # one commit per window, and the cursor moves with it
            written += sql.upsert_rollups(model, ((s, ts, *summary) for (s, ts), summary in buckets.items()))
            RollupCursor.objects.filter(pk=cursor.pk, done_until__lt=window_end).update(done_until=window_end)
    if tier == "minute" and end > start:
        mark_stale("hour", start)  # hours holding minutes just redone
    return written


def compact(start: int, end: int) -> int:
    """Merge the chunks of each series and minute in [start, end) into one; returns chunks removed.

    Agents write a chunk per flush (every 10 s by default): six rows a minute where one
    will do. Only the rows read are replaced, so a chunk written meanwhile is kept.
    """
    groups: dict[tuple[int, int], list[tuple[int, bytes]]] = defaultdict(list)
    for series, chunk_start, values in sql.chunks(start, end):
        groups[series, bucket_start(chunk_start, 60)].append((chunk_start, values))
    removed = 0
    merged_groups = [(key, parts) for key, parts in groups.items() if len(parts) > 1]
    for batch_start in range(0, len(merged_groups), COMPACT_BATCH):
        batch = merged_groups[batch_start : batch_start + COMPACT_BATCH]
        old = [(series, chunk_start) for (series, _), parts in batch for chunk_start, _ in parts]
        new = [
            RawChunk(series_id=series, start=first, values=pack(values))
            for (series, _), parts in batch
            for first, values in [_merge(parts)]
        ]
        with transaction.atomic():
            sql.delete_chunks(old)  # one by one: PostgreSQL scans the table for a long (a, b) IN list
            # ignore_conflicts: a rollup that overlapped this one may have written the same chunk.
            RawChunk.objects.bulk_create(new, batch_size=COMPACT_BATCH, ignore_conflicts=True)
        removed += len(old) - len(new)
    return removed


def _merge(parts: list[tuple[int, bytes]]) -> tuple[int, list[float]]:
    """One chunk from several of one minute; of two values for a second, the later chunk's wins."""
    by_second: dict[int, float] = {}
    for chunk_start, data in sorted(parts, key=lambda part: part[0]):
        for offset, value in enumerate(unpack(data)):
            if value == value:
                by_second[chunk_start + offset] = value
    first = min(start for start, _ in parts)
    values = [NAN] * (max(by_second, default=first) - first + 1)
    for second, value in by_second.items():
        values[second - first] = value
    return first, values


def _chunk_summaries(start: int, end: int) -> Iterator[tuple[int, int, Summary]]:
    for series, chunk_start, values in sql.chunks(start, end):
        summary = summarize(unpack(values))
        if summary is not None:
            yield series, chunk_start, summary


def _minute_summaries(start: int, end: int) -> Iterator[tuple[int, int, Summary]]:
    table = sql.quoted(MinuteRollup._meta.db_table)
    columns = sql.quoted(*sql.ROLLUP_COLUMNS)
    for series, ts, *summary in sql.rows(f"SELECT {columns} FROM {table} WHERE ts >= %s AND ts < %s", [start, end]):
        yield series, ts, tuple(summary)


def _first_chunk() -> int | None:
    return RawChunk.objects.aggregate(first=Min("start"))["first"]


def _first_minute() -> int | None:
    return MinuteRollup.objects.aggregate(first=Min("ts"))["first"]
