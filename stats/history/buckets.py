"""The arithmetic of history, as pure functions: buckets, tier choice, bucketing in bulk.

A bucket's summary is (min, avg, max, count). Merging weighs each avg by its count,
so a rollup of rollups equals the rollup of the underlying values.
"""

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from stats.history.blocks import Summaries, Values


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
    index = (parts.ts - first) // width
    inside = (index >= 0) & (index < count)
    if not inside.all():
        index, parts = index[inside], Summaries(*(column[inside] for column in parts.columns()))
    if not len(index):
        return Summaries(*(np.empty(0, column.dtype) for column in parts.columns()))
    if (np.diff(index) < 0).any():  # late data: a block's seconds may precede an earlier block's
        order = np.argsort(index, kind="stable")
        index, parts = index[order], Summaries(*(column[order] for column in parts.columns()))
    starts = np.concatenate([[0], np.flatnonzero(np.diff(index)) + 1])
    counts = np.add.reduceat(parts.count, starts)
    totals = np.add.reduceat(parts.avg * parts.count, starts)
    return Summaries(
        first + index[starts] * width,
        np.minimum.reduceat(parts.min, starts),
        totals / counts,
        np.maximum.reduceat(parts.max, starts),
        counts,
    )
