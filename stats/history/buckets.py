"""The arithmetic of history, as pure functions: buckets, tier choice, bucketing in bulk.

A bucket's summary is (min, avg, max, count). Merging weighs each avg by its count,
so a rollup of rollups equals the rollup of the underlying values.
"""

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from stats.history.blocks import Summaries, Values, take


@dataclass(frozen=True)
class Tier:
    name: str
    resolution: int  # seconds per stored value or bucket
    retention: int  # seconds kept


def bucket_start(ts: float, width: int) -> int:
    return int(ts // width) * width


@dataclass(frozen=True)
class Plan:
    tier: int  # index into the tiers, finest first
    width: int  # seconds per returned point, a multiple of the tier's resolution
    first: int  # start of the first bucket
    count: int  # buckets in [first, end)


def plan(start: float, end: float, points: int, now: float, tiers: Sequence[Tier]) -> Plan:
    """Pick the tier and bucket width that give at most `points` buckets over [start, end).

    The best tier is the coarsest whose resolution still fits in one bucket; when the
    range starts before that tier's retention, a coarser tier that still holds it is used.
    """
    if end <= start or points < 2:
        raise ValueError("need start < end and at least 2 points")
    # count <= span / width + 1, so width >= span / (points - 1) keeps it within `points`.
    ideal = (end - start) / (points - 1)
    chosen = 0
    for index, tier in enumerate(tiers):
        if tier.resolution <= ideal:
            chosen = index
    while chosen < len(tiers) - 1 and start < now - tiers[chosen].retention:
        chosen += 1
    resolution = tiers[chosen].resolution
    width = max(resolution, math.ceil(ideal / resolution) * resolution)
    first = bucket_start(start, width)
    return Plan(chosen, width, first, math.ceil((end - first) / width))


def as_summaries(block: Values) -> Summaries:
    """Each value as a bucket of its own second."""
    return Summaries(
        block.ts, block.values, block.values.astype(np.float64), block.values, np.ones(len(block), np.int64)
    )


def reduce(parts: Summaries, first: int, width: int, count: int) -> Summaries:
    """Merge summaries into the `count` buckets of `width` seconds from `first`; empty ones left out."""
    return reduce_grouped(parts, np.zeros(len(parts), np.int64), first, width, count)[1]


def reduce_grouped(
    parts: Summaries, groups: np.ndarray, first: int, width: int, count: int
) -> tuple[np.ndarray, Summaries]:
    """`reduce` for many series at once: `groups` numbers each part's series (0, 1, …).

    Returns each bucket's group beside the buckets: one pass of numpy over a whole
    card instead of one per series.
    """
    key, picked, starts = _bucket_runs(parts.ts, groups, first, width, count)
    parts = take(parts, picked)
    if not len(key):
        return key, parts
    counts = np.add.reduceat(parts.count, starts)
    return key[starts] // count, Summaries(
        first + key[starts] % count * width,
        np.minimum.reduceat(parts.min, starts),
        np.add.reduceat(parts.avg * parts.count, starts) / counts,
        np.maximum.reduceat(parts.max, starts),
        counts,
    )


def reduce_values_grouped(
    block: Values, groups: np.ndarray, first: int, width: int, count: int
) -> tuple[np.ndarray, Summaries]:
    """`reduce_grouped` straight from per-second values: no per-value summaries to build."""
    key, picked, starts = _bucket_runs(block.ts, groups, first, width, count)
    if not len(key):
        return key, as_summaries(take(block, picked))
    values = block.values[picked]
    counts = np.diff(np.append(starts, len(values)))
    return key[starts] // count, Summaries(
        first + key[starts] % count * width,
        np.minimum.reduceat(values, starts),
        np.add.reduceat(values, starts, dtype=np.float64) / counts,
        np.maximum.reduceat(values, starts),
        counts,
    )


def _bucket_runs(
    ts: np.ndarray, groups: np.ndarray, first: int, width: int, count: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(sorted bucket keys, which entries they are, where each bucket's run starts).

    A key is group x count + bucket index; entries outside the buckets are left out.
    """
    index = (ts - first) // width
    picked = np.flatnonzero((index >= 0) & (index < count))
    key = groups[picked] * count + index[picked]
    if len(key) > 1 and (np.diff(key) < 0).any():  # late data: seconds may precede an earlier block's
        order = np.argsort(key, kind="stable")
        key, picked = key[order], picked[order]
    return key, picked, np.concatenate([[0], np.flatnonzero(np.diff(key)) + 1])
