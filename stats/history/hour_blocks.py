"""The hour tier written as small blocks and merged later, as the minute tier is (stats.history.minute_blocks).

Adding each closed hour to every series' 30-day block decoded and encoded up to 720
buckets per series at every hour's close. Instead the close writes, per series, a
block of the hour's bucket starting at the hour; readers merge a series' blocks in the
order they start. Each run merges the small blocks of one range of series ids in
MERGE_GROUPS into their 30-day block, in turn: a series holds about MERGE_GROUPS / 60
small hour blocks at most (a few hours' worth), and each run merges about as many.
"""

from collections import defaultdict

from stats.history import blocks, minute_blocks, sql
from stats.models import HourBlock

SPAN = blocks.SPANS["hour"]
MERGE_GROUPS = 360  # each series' hour blocks merged every 6 hours


def merge_some(end: int) -> int:
    """Merge the small hour blocks of this run's range of series (this 30-day span and the one before); returns
    blocks removed."""
    ids = minute_blocks.group_ids(end, MERGE_GROUPS)
    if ids is None:
        return 0
    groups: dict[tuple[int, int], list[tuple[int, bytes]]] = defaultdict(list)
    for series, start, data in sql.blocks_of_range(HourBlock, *ids, blocks.span_start(end, "hour") - SPAN):
        groups[series, blocks.span_start(start, "hour")].append((start, data))
    return minute_blocks.merge(HourBlock, groups)
