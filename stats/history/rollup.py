"""Rolling raw values up into minutes and minutes into hours (a Celery task every minute).

Each tier's buckets are written as small blocks and merged later, a range of series in
turn (stats.history.raw_blocks, minute_blocks, hour_blocks), so that a run reads and
writes about what its minute added, at any time of the hour and of the day. An hour's
close, which reads every minute block of the hour, is spread over the next runs when
there are many series (_close_some).
"""

from collections.abc import Callable, Iterable
from itertools import chain

import numpy as np
from django.conf import settings
from django.db import transaction
from django.db.models import Min

from stats.history import blocks, bulk, hour_blocks, minute_blocks, raw_blocks, sql
from stats.history.buckets import bucket_start
from stats.history.ingest import mark_stale
from stats.history.raw_summaries import raw_summaries
from stats.models import HourBlock, MinuteBlock, RawBlock, RollupCursor

# (first block start read, window start, window end) -> each series' buckets in the window
Reader = Callable[[int, int, int], bulk.Buckets]

# Series whose rollup blocks are written per transaction. Under SQLite a writer holds
# the one write lock and checks and agents wait for it, so each transaction only writes:
# the blocks are read and merged before it (only this task writes rollup blocks).
STORE_BATCH = 2_000
TIERS = {"minute": (60, MinuteBlock, RawBlock), "hour": (3600, HourBlock, MinuteBlock)}
PIECES = {"minute": minute_blocks.HOUR, "hour": blocks.SPANS["hour"]}  # what a written block may span
# Closing an hour in one run read all its minute blocks: 78.6 s for 1,000 devices' 288,000
# series, longer than the minute it had. Each run closes it for a range of this many series
# ids instead (about 8 s of reading there), and the hour tier's cursor passes the hour once
# every range is written: until then queries read the hour from the minute tier, as they
# read any tier only below its cursor (stats.history.query).
CLOSE_SERIES = 50_000


def roll_up(now: float) -> dict[str, int]:
    """Roll up every complete bucket not done yet, and those late data made stale.

    A minute is complete once agents have flushed it (SAMPLE_PERSIST_EVERY plus a
    margin); an hour once its minutes are rolled up. Returns buckets written per tier.
    """
    grace = settings.SAMPLE_PERSIST_EVERY + 20
    minutes = _advance("minute", raw_summaries, until=now - grace)
    minute_done = _done("minute")
    hours = _advance("hour", _minute_summaries, until=minute_done)
    if minute_done:  # the small blocks are merged once both tiers have read them as written
        raw_blocks.compact_some(minute_done)
        minute_blocks.merge_some(minute_done, _done("hour"))
        hour_blocks.merge_some(minute_done)
    return {"minute": minutes, "hour": hours}


def _done(tier: str) -> int:
    return RollupCursor.objects.get(tier=tier).done_until


def _advance(tier: str, read: Reader, until: float) -> int:
    width, _, source = TIERS[tier]
    cursor, _ = RollupCursor.objects.get_or_create(tier=tier)
    # Take the redo mark before reading: data arriving meanwhile sets it again.
    RollupCursor.objects.filter(pk=cursor.pk, redo_from=cursor.redo_from).update(redo_from=None)
    start = cursor.done_until if cursor.redo_from is None else min(cursor.done_until, cursor.redo_from)
    if start == 0:  # never rolled up: begin with the oldest data there is
        start = source.objects.aggregate(first=Min("start"))["first"]
        if start is None:
            return 0
    start, end = bucket_start(start, width), bucket_start(until, width)
    if tier == "hour" and start == cursor.done_until and end - start == width:  # the usual run: one hour to close
        return _close_some(cursor, start, end)
    # Going on from the cursor, a tier's source blocks starting before it hold none of what is
    # rolled up now (raw_blocks, _minute_summaries); redoing or beginning, whole spans are read.
    low = start if start == cursor.done_until else blocks.span_start(start, "raw" if tier == "minute" else "minute")
    written = 0
    # One pass per span of the tier's blocks (a day of minutes, 30 days of hours): a
    # backlog writes each block once, and memory holds one span's compressed input.
    window_start = start
    while window_start < end:
        window_end = min(end, blocks.span_start(window_start, tier) + blocks.SPANS[tier])
        # Later windows begin at a span's start: no block before it holds their values.
        buckets = read(low if window_start == start else window_start, window_start, window_end)
        written += _store(tier, buckets, window_start, window_end, cursor.done_until, end)
        RollupCursor.objects.filter(pk=cursor.pk, done_until__lt=window_end).update(
            done_until=window_end,
            closing_from=0,  # an hour's close begun in parts is done here whole
        )
        window_start = window_end
    if tier == "minute" and end > start:
        mark_stale("hour", start)  # hours holding minutes just redone
    if tier == "minute" and blocks.span_start(end, "raw") > blocks.span_start(start, "raw"):
        # The ended hours that left raw_blocks.compact_some's reach (the hour before the open one) in this run.
        raw_blocks.compact_hours(blocks.span_start(start, "raw") - 3600, blocks.span_start(end, "raw") - 3600)
    return written


def _store(tier: str, buckets: bulk.Buckets, window_start: int, window_end: int, done: int, end: int) -> int:
    """Write a window's buckets as small blocks, a batch of series per transaction; returns buckets written."""
    model = TIERS[tier][1]
    redone = window_start < done  # late data: blocks written after window_start are replaced
    # A backlog's span that merge_some no longer reaches (minutes before yesterday, hours before
    # the last 30 days): merged as written.
    span = blocks.SPANS[tier]
    older = window_start < blocks.span_start(end, tier) - span
    written = 0
    for begin in range(0, len(buckets.ids), STORE_BATCH):
        some = buckets.some(begin, begin + STORE_BATCH)
        ids = some.ids.tolist()
        rows = minute_blocks.rows(some, window_start, PIECES[tier])
        # Storing replaces buckets: a run stopped midway is redone from the cursor, harmlessly.
        with transaction.atomic():
            if redone:
                sql.delete_after(model, ids, window_start, window_end)
            sql.upsert(model, rows)
        written += len(some)
        if older:
            minute_blocks.merge_span(model, ids, blocks.span_start(window_start, tier), span)
    return written


def _close_some(cursor: RollupCursor, hour: int, end: int) -> int:
    """Roll the hour [hour, end) up for the next range of series ids; past the last one, move the cursor
    past the hour. Returns buckets written.

    Minutes of the hour redone since the last run (mark_stale sets redo_from while an hour is
    closing) start it over from the first range: the ranges before hold the old minutes.
    """
    if (bounds := minute_blocks.series_bounds()) is None:
        return 0
    low, high = bounds
    first = low if cursor.redo_from is not None else max(low, cursor.closing_from)
    last = first + CLOSE_SERIES
    buckets = _summaries(sql.blocks_of_range(MinuteBlock, first, last, hour, end), hour, end)
    written = _store("hour", buckets, hour, end, cursor.done_until, end)
    done = last > high  # a series made meanwhile has no minutes of the hour: those were rolled up before
    RollupCursor.objects.filter(pk=cursor.pk, done_until=hour).update(
        done_until=end if done else hour, closing_from=0 if done else last
    )
    return written


def _minute_summaries(low: int, start: int, end: int) -> bulk.Buckets:
    day = blocks.span_start(start, "minute")
    if end - start > minute_blocks.HOUR:  # a backlog: every block of the day
        found = sql.blocks(MinuteBlock, day, end)
    elif low < start:
        # Redoing an hour: its own blocks, and the day's block, which a day's merged minutes
        # start at once the hour tier is past the day (minute_blocks.merge_some).
        found = chain(sql.blocks(MinuteBlock, day, day + 1), sql.blocks(MinuteBlock, max(start, day + 1), end))
    else:  # the next hour: its minutes are in blocks starting within it
        found = sql.blocks(MinuteBlock, start, end)
    return _summaries(found, start, end)


def _summaries(found: Iterable[tuple[int, int, bytes]], start: int, end: int) -> bulk.Buckets:
    """Each series' hour buckets in [start, end) from these minute blocks (series, start, data)."""
    found = list(found)
    ids, numbers = np.unique(np.fromiter((series for series, _, _ in found), np.int64, len(found)), return_inverse=True)
    groups, columns = bulk.decode([(number, block_start, data) for number, (_, block_start, data) in
                                   zip(numbers.tolist(), found, strict=True)], summaries=True)  # fmt: skip
    return bulk.reduced(ids, groups, blocks.Summaries(*columns), start, 3600, (end - start) // 3600)
