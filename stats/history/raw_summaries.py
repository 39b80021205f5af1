"""Raw values into minute buckets for every series at once: one numpy pass, not one per series.

At 288,000 port series a run's per-series numpy calls (merging, bucketing) cost more
than the values themselves; here each block is decoded on its own and the rest is done
on the concatenation, the series told apart by a group number.
"""

import numpy as np

from stats.history import blocks, sql
from stats.history.buckets import reduce_values_grouped
from stats.models import RawBlock


def raw_summaries(low: int, start: int, end: int) -> dict[int, blocks.Summaries]:
    """Per series, the minute buckets of [start, end) from the raw blocks starting in [low, end)."""
    # By series, then start: of two values in one second, the later-starting block's counts.
    found = sorted(sql.blocks(RawBlock, low, end))
    if not found:
        return {}
    decoded = [blocks.decode_values(block_start, data) for _, block_start, data in found]
    block_series = np.fromiter((series for series, _, _ in found), np.int64, len(found))
    ids, block_group = np.unique(block_series, return_inverse=True)
    lengths = np.fromiter(map(len, decoded), np.int64, len(decoded))
    groups = np.repeat(block_group, lengths)
    values = blocks.Values(np.concatenate([v.ts for v in decoded]), np.concatenate([v.values for v in decoded]))
    # A block of an hour rolled up again may hold values after `end`: the key spans them too.
    groups, values = _latest(groups, values, int(values.ts.max()) - low + 1, low)
    bucket_group, buckets = reduce_values_grouped(values, groups, start, 60, (end - start) // 60)
    cuts = np.flatnonzero(np.diff(bucket_group)) + 1
    firsts = np.concatenate([[0], cuts]) if len(bucket_group) else cuts
    return {
        int(ids[bucket_group[first]]): blocks.take(buckets, slice(first, last))
        for first, last in zip(firsts.tolist(), [*cuts.tolist(), len(bucket_group)], strict=True)
    }


def _latest(groups: np.ndarray, values: blocks.Values, width: int, low: int) -> tuple[np.ndarray, blocks.Values]:
    """One value per series and second, in order: where a second repeats, the one given last."""
    key = groups * width + (values.ts - low)
    if len(key) < 2 or (np.diff(key) > 0).all():  # no second twice, as nearly always
        return groups, values
    unique, last = np.unique(key[::-1], return_index=True)
    picked = len(key) - 1 - last
    return unique // width, blocks.Values(values.ts[picked], values.values[picked])
