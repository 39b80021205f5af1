"""The minute tier written as small blocks and merged later, so that each run costs what its minute added.

Rewriting each series' day of minutes every minute cost a whole day's decode and encode
per series and run, growing through the day (69 µs to 934 µs a series). Instead each
run writes, per series, a block of the minutes it rolled up, starting at the first of
them. A block starting later holds the newer buckets: readers merge a series' blocks in
the order they start, the later one's bucket winning (blocks.merge_stored_summaries).

Each run also merges the small blocks of one range of series ids in MERGE_GROUPS
(about a 30th of them, in turn): into one block per hour, and once the hour tier has
rolled a day up, into one block per day. A series thus holds at most about MERGE_GROUPS
small blocks, and each run merges about the same number of them, all day long. The hour
tier's blocks are written the same way (stats.history.hour_blocks).
"""

from collections import defaultdict

import numpy as np
from django.db import transaction
from django.db.models import Max, Min

from stats.history import blocks, bulk, sql
from stats.models import Block, MinuteBlock, Series

MERGE_GROUPS = 30
HOUR = 3600
MERGE_BATCH = 2_000  # series and spans merged per transaction


def rows(buckets: bulk.Buckets, window_start: int, width: int = HOUR) -> list[tuple[int, int, bytes]]:
    """The blocks a run writes: per series and `width` (an hour; the hour tier's 30 days), its buckets
    from `window_start` on, as a block starting at the first of them or at the hour (one block a
    series in the usual run of one minute). All encoded together (bulk.encode).

    Every minute block lies within one hour: the hour rollup reads only the hour's blocks.
    """
    ts = buckets.summaries.ts
    if not len(ts):
        return []
    spans = ts - ts % width
    begins = np.concatenate([[True], (np.diff(buckets.groups) != 0) | (np.diff(spans) != 0)])
    firsts = np.flatnonzero(begins)
    starts = np.maximum(spans[firsts], window_start)
    datas = bulk.encode(np.cumsum(begins) - 1, list(buckets.summaries.columns()), starts)
    return list(zip(buckets.ids[buckets.groups[firsts]].tolist(), starts.tolist(), datas, strict=True))


def target(start: int, today: int) -> int:
    """Where a block starting at `start` is merged into: its hour if it is of `today` or later, else its day."""
    day = blocks.span_start(start, "minute")
    return start - start % HOUR if day >= today else day


def series_bounds() -> tuple[int, int] | None:
    """The lowest and highest series id, or None without series."""
    bounds = Series.objects.aggregate(low=Min("id"), high=Max("id"))
    return None if bounds["low"] is None else (bounds["low"], bounds["high"])


def group_ids(end: int, groups: int = MERGE_GROUPS) -> tuple[int, int] | None:
    """The series ids [first, end) whose blocks the run ending at `end` merges: a range of ids in `groups`, in turn."""
    if (bounds := series_bounds()) is None:
        return None
    low, high = bounds
    width = -(-(high - low + 1) // groups)
    first = low + (end // 60) % groups * width
    return first, first + width


def merge_some(end: int, hours_done: int) -> int:
    """Merge the small blocks of this run's range of series (since the day before the hour tier's); returns
    blocks removed.

    A day's blocks go into one block once the hour tier is past the day (`hours_done`): until then
    each hour's minutes start within the hour, and rolling an hour up reads only them.
    """
    ids = group_ids(end)
    if ids is None:
        return 0
    today = blocks.span_start(min(end, hours_done), "minute")
    groups: dict[tuple[int, int], list[tuple[int, bytes]]] = defaultdict(list)
    for series, start, data in sql.blocks_of_range(MinuteBlock, *ids, today - blocks.DAY):
        groups[series, target(start, today)].append((start, data))
    return merge(MinuteBlock, groups)


def merge_span(model: type[Block], series_ids: list[int], at: int, width: int) -> int:
    """Merge these series' blocks of [at, at + width) into one block each; returns blocks removed.

    merge_some reaches back to yesterday only: a backlog rolled up for an older day (the
    rollup stopped for a while) is merged as it is written, or its hour blocks would stay.
    """
    groups: dict[tuple[int, int], list[tuple[int, bytes]]] = defaultdict(list)
    for series, start, data in sql.blocks(model, at, at + width, series_ids):
        groups[series, at].append((start, data))
    return merge(model, groups)


def merge(model: type[Block], groups: dict[tuple[int, int], list[tuple[int, bytes]]]) -> int:
    """Each (series, start) group's blocks as one block starting there; returns blocks removed."""
    merging = [(key, parts) for key, parts in groups.items() if len(parts) > 1 or parts[0][0] != key[1]]
    removed = 0
    for begin in range(0, len(merging), MERGE_BATCH):
        batch = merging[begin : begin + MERGE_BATCH]
        new = bulk.merged(dict(batch), summaries=True)
        old = [(series, start) for (series, at), parts in batch for start, _ in parts if start != at]
        with transaction.atomic():
            sql.delete(model, old)
            sql.upsert(model, new)
        removed += len(old)
    return removed
