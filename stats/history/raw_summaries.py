"""Raw values into minute buckets for every series at once: one numpy pass, not one per series.

At 288,000 port series a run's per-series numpy calls (merging, bucketing) cost more
than the values themselves: the blocks are decoded together and bucketed together, the
series told apart by a group number (stats.history.bulk).
"""

import numpy as np

from stats.history import blocks, bulk, sql
from stats.models import RawBlock


def raw_summaries(low: int, start: int, end: int) -> bulk.Buckets:
    """The minute buckets of [start, end) of each series, from the raw blocks starting in [low, end)."""
    found = list(sql.blocks(RawBlock, low, end))
    ids, numbers = np.unique(np.fromiter((series for series, _, _ in found), np.int64, len(found)), return_inverse=True)
    groups, (ts, values) = bulk.decode([(number, start, data) for number, (_, start, data) in
                                        zip(numbers.tolist(), found, strict=True)], summaries=False)  # fmt: skip
    return bulk.reduced(ids, groups, blocks.Values(ts, values), start, 60, (end - start) // 60)
