"""The arithmetic of history, as pure functions: buckets, summaries, tier choice.

A summary is a tuple (min, avg, max, count). Merging weighs each avg by its count,
so a rollup of rollups equals the rollup of the underlying values.
"""

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

Summary = tuple[float, float, float, int]


@dataclass(frozen=True)
class Tier:
    name: str
    resolution: int  # seconds per stored value or bucket
    retention: int  # seconds kept


def bucket_start(ts: float, width: int) -> int:
    return int(ts // width) * width


def summarize(values: Iterable[float]) -> Summary | None:
    """Summary of the values that are not NaN; None when there are none."""
    low, high, total, count = math.inf, -math.inf, 0.0, 0
    for value in values:
        if value != value:  # NaN: no sample in that second
            continue
        low = value if value < low else low
        high = value if value > high else high
        total += value
        count += 1
    return (low, total / count, high, count) if count else None


def merge(summaries: Iterable[Summary]) -> Summary | None:
    low, high, total, count = math.inf, -math.inf, 0.0, 0
    for s_min, s_avg, s_max, s_count in summaries:
        low = min(low, s_min)
        high = max(high, s_max)
        total += s_avg * s_count
        count += s_count
    return (low, total / count, high, count) if count else None


def rollup(rows: Iterable[tuple[int, int, Summary]], width: int) -> dict[tuple[int, int], Summary]:
    """Merge (series, ts, summary) rows into buckets of `width` seconds, per series."""
    grouped: dict[tuple[int, int], list[Summary]] = {}
    for series, ts, summary in rows:
        grouped.setdefault((series, bucket_start(ts, width)), []).append(summary)
    return {key: merge(parts) for key, parts in grouped.items()}


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


def downsample(rows: Iterable[tuple[int, Summary]], first: int, width: int, count: int) -> list[Summary | None]:
    """Merge (ts, summary) rows into `count` buckets from `first`; None where a bucket is empty."""
    parts: list[list[Summary]] = [[] for _ in range(count)]
    for ts, summary in rows:
        index = (ts - first) // width
        if 0 <= index < count:
            parts[index].append(summary)
    return [(bucket[0] if len(bucket) == 1 else merge(bucket)) if bucket else None for bucket in parts]
