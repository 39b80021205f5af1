"""Merging the raw tier's small blocks, a range of series in turn, so that each run costs what its minute added.

Writers add a block per series and write (every second by default), each within one
minute (blocks.RAW_PIECE). The minute rollup reads only the blocks that start in the
minutes it rolls up, which holds because a block starting before them holds none of
their values: as written (one minute at most), and as merged here (only blocks that
start before the rolled-up end, whose values are all before it).

Each run merges the blocks of one range of series ids in RAW_GROUPS, in turn: those of
the hour still open that were written since the range's last turn, into one block
starting at the first of them; and those of the hour before, once it is over, into one
block at the hour's start (compact_hours makes sure of it for hours a range's turn
missed). Reading a range of series is one scan of the primary key, and no run decodes a
block that grows through the hour.
"""

from collections import defaultdict

from django.db import transaction

from stats.history import blocks, bulk, minute_blocks, sql
from stats.models import RawBlock

HOUR = blocks.SPANS["raw"]
# A series' blocks are merged every RAW_GROUPS runs: a switch port polled each minute has
# at most about that many blocks in the open hour; an agent's series at most 60 times that.
RAW_GROUPS = 12
MERGE_BATCH = 2_000  # merged blocks written per transaction


def compact_some(end: int) -> int:
    """Merge the blocks of this run's range of series that start before `end` (rolled up); returns blocks removed."""
    ids = minute_blocks.group_ids(end, RAW_GROUPS)
    if ids is None:
        return 0
    open_hour = blocks.span_start(end, "raw")
    recent = max(open_hour, end - RAW_GROUPS * 60)  # what was written since this range's last turn
    # Every range has its turn in the open hour's first RAW_GROUPS runs: only they read the hour before.
    low = open_hour - HOUR if recent == open_hour else recent
    groups: dict[tuple[int, int], list[tuple[int, bytes]]] = defaultdict(list)
    for series, start, data in sql.blocks_of_range(RawBlock, *ids, low):
        if start < open_hour:
            groups[series, open_hour - HOUR].append((start, data))
        elif recent <= start < end:
            groups[series, recent].append((start, data))
    return _merge({key: parts for key, parts in groups.items() if key[1] < open_hour or len(parts) > 1})


def compact_hours(start: int, end: int) -> int:
    """Merge into one block at the hour's start the blocks of each hour in [start's hour, end) (ended and rolled
    up) that are not merged yet; returns blocks removed.

    compact_some reaches back to the hour before the open one: each run passes here the hours
    that left its reach since the last run (none but at an hour's turn; a backlog's every hour).
    Merged blocks start at their hour: the index on `start` finds the series that have others.
    """
    low = blocks.span_start(start, "raw")
    ids = sql.series_with_unaligned(RawBlock, low, end, HOUR)
    groups: dict[tuple[int, int], list[tuple[int, bytes]]] = defaultdict(list)
    for series, block_start, data in sql.blocks(RawBlock, low, end, ids) if ids else ():
        groups[series, blocks.span_start(block_start, "raw")].append((block_start, data))
    return _merge(groups)


def _merge(groups: dict[tuple[int, int], list[tuple[int, bytes]]]) -> int:
    """Each group's blocks as one block: at the hour's start for a whole hour, else at the first block's start."""
    merging = [(key, parts) for key, parts in groups.items() if len(parts) > 1 or parts[0][0] != key[1]]
    removed = 0
    for begin in range(0, len(merging), MERGE_BATCH):
        batch = {}
        for (series, at), parts in merging[begin : begin + MERGE_BATCH]:
            batch[series, at if at % HOUR == 0 else min(start for start, _ in parts)] = parts
        new = bulk.merged(batch, summaries=False)
        old = [(series, start) for (series, at), parts in batch.items() for start, _ in parts if start != at]
        with transaction.atomic():
            sql.delete(RawBlock, old)
            sql.upsert(RawBlock, new)
        removed += len(old)
    return removed
