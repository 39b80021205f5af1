"""Rolling raw values up into minutes and minutes into hours (a Celery task every minute).

Before a stretch of raw values is rolled up, the small blocks writers left in each
hour (one per series and flush) are merged into one block per series and hour.
"""

from collections import defaultdict
from collections.abc import Callable
from itertools import chain

from django.conf import settings
from django.db import transaction
from django.db.models import Min

from stats.history import blocks, minute_blocks, sql
from stats.history.buckets import as_summaries, bucket_start, reduce
from stats.history.ingest import mark_stale
from stats.models import Block, HourBlock, MinuteBlock, RawBlock, RollupCursor

# series id -> its buckets in a window
Reader = Callable[[int, int], dict[int, blocks.Summaries]]

# Raw hours merged per transaction when compacting.
COMPACT_BATCH = 500
# Blocks a series may have in the hour still being written before they are merged. A
# 1,000-switch network keeps 288,000 port series, each adding a block a minute; merging
# each every minute was a third of the rollup's time. A query of the current hour reads
# at most this many blocks a series.
OPEN_HOUR_BLOCKS = 12
# Series whose rollup blocks are written per transaction. Under SQLite a writer holds
# the one write lock and checks and agents wait for it, so each transaction only writes:
# the blocks are read and merged before it (only this task writes rollup blocks).
STORE_BATCH = 2_000


def roll_up(now: float) -> dict[str, int]:
    """Roll up every complete bucket not done yet, and those late data made stale.

    A minute is complete once agents have flushed it (SAMPLE_PERSIST_EVERY plus a
    margin); an hour once its minutes are rolled up. Returns buckets written per tier.
    """
    grace = settings.SAMPLE_PERSIST_EVERY + 20
    minutes = _advance("minute", 60, _raw_summaries, MinuteBlock, until=now - grace, source=RawBlock)
    minute_done = RollupCursor.objects.get(tier="minute").done_until
    hours = _advance("hour", 3600, _minute_summaries, HourBlock, until=minute_done, source=MinuteBlock)
    return {"minute": minutes, "hour": hours}


def _advance(tier: str, width: int, read: Reader, model: type[Block], until: float, source: type[Block]) -> int:
    cursor, _ = RollupCursor.objects.get_or_create(tier=tier)
    # Take the redo mark before reading: data arriving meanwhile sets it again.
    RollupCursor.objects.filter(pk=cursor.pk, redo_from=cursor.redo_from).update(redo_from=None)
    start = cursor.done_until if cursor.redo_from is None else min(cursor.done_until, cursor.redo_from)
    if start == 0:  # never rolled up: begin with the oldest data there is
        start = source.objects.aggregate(first=Min("start"))["first"]
        if start is None:
            return 0
    start, end = bucket_start(start, width), bucket_start(until, width)
    written = 0
    # One pass per span of the tier's blocks (a day of minutes, 30 days of hours): a
    # backlog writes each block once, and memory holds one span's compressed input.
    window_start = start
    while window_start < end:
        window_end = min(end, blocks.span_start(window_start, tier) + blocks.SPANS[tier])
        if tier == "minute":
            compact(window_start, window_end)
        buckets = read(window_start, window_end)
        series = sorted(buckets)
        redone = window_start < cursor.done_until  # late data: blocks written after window_start are replaced
        # A backlog's day that minute_blocks.merge_some no longer reaches (before yesterday): merged as written.
        older_day = tier == "minute" and window_start < blocks.span_start(end, "minute") - blocks.DAY
        for begin in range(0, len(series), STORE_BATCH):
            some = {s: buckets[s] for s in series[begin : begin + STORE_BATCH]}
            if tier == "minute":
                rows, count = minute_blocks.rows(some, window_start), sum(map(len, some.values()))
            else:
                rows, count = _merged(model, tier, some)
            # Storing replaces buckets: a run stopped midway is redone from the cursor, harmlessly.
            with transaction.atomic():
                if tier == "minute" and redone:
                    sql.delete_after(model, list(some), window_start, window_end)
                sql.upsert(model, rows)
            written += count
            if older_day:
                minute_blocks.merge_day(list(some), blocks.span_start(window_start, "minute"))
        RollupCursor.objects.filter(pk=cursor.pk, done_until__lt=window_end).update(done_until=window_end)
        window_start = window_end
    if tier == "minute":
        if end > start:
            mark_stale("hour", start)  # hours holding minutes just redone
            minute_blocks.merge_some(end)
        compact(end, until)  # the rest so far: a query of the last minutes reads few blocks
    return written


def _merged(model: type[Block], tier: str, buckets: dict[int, blocks.Summaries]) -> tuple[list, int]:
    """The tier's blocks (one per series and span) with `buckets` added, replacing those redone,
    as rows to store; and how many buckets they add."""
    pieces = [(series, start, piece) for series, found in buckets.items() for start, piece in blocks.split(found, tier)]
    if not pieces:
        return [], 0
    starts = [start for _, start, _ in pieces]
    stored = {
        (series, start): data
        for series, start, data in sql.blocks(model, min(starts), max(starts) + 1, sorted(buckets))
    }
    rows = []
    for series, start, piece in pieces:
        if (series, start) in stored:
            piece = blocks.merge_summaries(blocks.decode_summaries(start, stored[series, start]), piece)
        rows.append((series, start, blocks.encode_summaries(start, piece)))
    return rows, sum(len(piece) for _, _, piece in pieces)


def compact(start: int, end: int) -> int:
    """Merge the raw blocks of each series and hour that begin in [start's hour, end); returns blocks removed.

    Writers add a block per series and flush (every second by default): up to 3,600
    rows an hour where one will do. An hour that ends by `end` is merged into one
    block; the hour still open only once a series has OPEN_HOUR_BLOCKS in it. Only
    the blocks read are replaced, so one written meanwhile is kept, and merged later.
    """
    groups: dict[tuple[int, int], list[tuple[int, bytes]]] = defaultdict(list)
    for series, block_start, data in sql.blocks(RawBlock, blocks.span_start(start, "raw"), end):
        groups[series, blocks.span_start(block_start, "raw")].append((block_start, data))
    merging = [
        (key, parts)
        for key, parts in groups.items()
        if len(parts) >= (2 if key[1] + blocks.SPANS["raw"] <= end else OPEN_HOUR_BLOCKS)
    ]
    removed = 0
    for batch_start in range(0, len(merging), COMPACT_BATCH):
        batch = merging[batch_start : batch_start + COMPACT_BATCH]
        old = [(series, block_start) for (series, _), parts in batch for block_start, _ in parts]
        new = [
            (series, hour, blocks.encode_values(hour, blocks.decode_merged(parts))) for (series, hour), parts in batch
        ]
        with transaction.atomic():
            sql.delete(RawBlock, old)
            sql.upsert(RawBlock, new)
        removed += len(old) - len(new)
    return removed


def _raw_summaries(start: int, end: int) -> dict[int, blocks.Summaries]:
    parts: dict[int, list[tuple[int, bytes]]] = defaultdict(list)
    for series, block_start, data in sql.blocks(RawBlock, blocks.span_start(start, "raw"), end):
        parts[series].append((block_start, data))
    count = (end - start) // 60
    return {
        series: reduce(as_summaries(blocks.decode_merged(found)), start, 60, count) for series, found in parts.items()
    }


def _minute_summaries(start: int, end: int) -> dict[int, blocks.Summaries]:
    day = blocks.span_start(start, "minute")
    if end - start <= minute_blocks.HOUR:
        # One hour (as every hour but a backlog): its own blocks, and the day's block, which an
        # earlier day's merged minutes start at; not the rest of the day.
        found = chain(sql.blocks(MinuteBlock, day, day + 1), sql.blocks(MinuteBlock, max(start, day + 1), end))
    else:
        found = sql.blocks(MinuteBlock, day, end)
    parts: dict[int, list[tuple[int, bytes]]] = defaultdict(list)
    for series, block_start, data in found:
        parts[series].append((block_start, data))
    count = (end - start) // 3600
    return {
        series: reduce(blocks.merge_stored_summaries(stored), start, 3600, count) for series, stored in parts.items()
    }
