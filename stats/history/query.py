"""Reading a range of history at a bounded number of points, from the best tier."""

from collections import defaultdict

import numpy as np

from stats.history import blocks, sql, tiers
from stats.history.buckets import Plan, plan, reduce_grouped, reduce_values_grouped
from stats.models import HourBlock, MinuteBlock, RawBlock, RollupCursor, Series

MODELS = {"raw": RawBlock, "minute": MinuteBlock, "hour": HourBlock}


class TooMuch(ValueError):
    """The request would return more values than allowed; the message says how to ask for less."""


def read(
    sources: list[str],
    metrics: list[str],
    start: float,
    end: float,
    points: int,
    now: float,
    max_values: int | None = None,
) -> dict:
    """min/avg/max per bucket of every series of `metrics` for `sources`, over [start, end).

    Times and columns are numpy arrays; a bucket without values is NaN.

    The chosen tier serves the range up to where it is rolled up; the finer tiers fill
    in the rest, so the last minutes show even before their rollup runs. Each tier is
    one query for every series, decoded and bucketed in bulk.
    """
    configured = tiers.configured()
    query_plan = plan(start, end, points, now, configured)
    series = list(Series.objects.filter(source__in=sources, metric__in=metrics).order_by("source", "metric", "label"))
    if max_values is not None and len(series) * query_plan.count > max_values:
        raise TooMuch(
            f"{len(series)} series x {query_plan.count} points is more than {max_values:,} values: "
            "ask for fewer points or metrics"
        )
    parts: dict[int, list[blocks.Values | blocks.Summaries]] = defaultdict(list)  # per series id
    if series:
        done = dict(RollupCursor.objects.values_list("tier", "done_until"))
        ids = [s.pk for s in series]
        low = query_plan.first
        for tier in reversed(configured[: query_plan.tier + 1]):
            high = end if tier.name == "raw" else min(end, done.get(tier.name, 0))
            if high > low:
                _read_tier(tier.name, ids, low, high, parts)
                low = high
    return {
        "from": start,
        "to": end,
        "tier": configured[query_plan.tier].name,
        "step": query_plan.width,
        "t": query_plan.first + np.arange(query_plan.count, dtype=np.int64) * query_plan.width,
        "series": _columns(series, parts, query_plan),
    }


def _read_tier(tier: str, ids: list[int], low: int, high: float, parts: dict) -> None:
    """Add the tier's values or buckets in [low, high) to `parts`, per series."""
    found = sql.blocks(MODELS[tier], blocks.span_start(low, tier), high, ids)
    if tier != "raw":
        rolled: dict[int, list[tuple[int, bytes]]] = defaultdict(list)
        for series, start, data in found:
            rolled[series].append((start, data))
        for series, stored in rolled.items():
            # The minute tier's small blocks (stats.history.minute_blocks): a later one's bucket counts.
            parts[series].append(_within(blocks.merge_stored_summaries(stored), low, high))
        return
    raw: dict[int, list[tuple[int, bytes]]] = defaultdict(list)
    for series, start, data in found:
        raw[series].append((start, data))
    for series, stored in raw.items():
        # Several blocks of an hour may hold the same second (late values): the later one's counts.
        parts[series].append(_within(blocks.decode_merged(stored), low, high))


def _within(block: blocks.Values | blocks.Summaries, low: int, high: float) -> blocks.Values | blocks.Summaries:
    inside = (block.ts >= low) & (block.ts < high)
    return block if inside.all() else blocks.take(block, np.flatnonzero(inside))


def _columns(series: list[Series], parts: dict[int, list], query_plan: Plan) -> list[dict]:
    """min, avg and max per bucket of each series, as float32 arrays (NaN: no value), the
    precision values are kept at; all the series bucketed together, in one numpy pass."""
    first, width, count = query_plan.first, query_plan.width, query_plan.count
    raw_rows, raw, rolled_rows, rolled = [], [], [], []
    for row, s in enumerate(series):
        for part in parts[s.pk]:
            rows, kind = (raw_rows, raw) if isinstance(part, blocks.Values) else (rolled_rows, rolled)
            rows.append(np.full(len(part), row))
            kind.append(part)
    found = None
    if raw:  # per-second values into buckets first: a card's hour is 100,000 of them
        joined = blocks.Values(np.concatenate([p.ts for p in raw]), np.concatenate([p.values for p in raw]))
        found = reduce_values_grouped(joined, np.concatenate(raw_rows), first, width, count)
    if rolled:
        if found is not None:  # buckets at the tiers' boundary hold both
            rolled_rows.append(found[0])
            rolled.append(found[1])
        found = reduce_grouped(blocks.concatenate(rolled), np.concatenate(rolled_rows), first, width, count)
    dense = {name: np.full((len(series), count), np.nan, np.float32) for name in ("min", "avg", "max")}
    if found is not None:
        rows, buckets = found
        for name, columns in dense.items():
            columns[rows, (buckets.ts - first) // width] = getattr(buckets, name)
    return [
        {"source": s.source, "metric": s.metric, "label": s.label} | {name: dense[name][row] for name in dense}
        for row, s in enumerate(series)
    ]


def stored_values(series_id: int) -> list[tuple[int, float]]:
    """Every raw value of one series as (unix second, value), oldest first."""
    values = blocks.decode_merged([(start, data) for _, start, data in sql.blocks(RawBlock, 0, 2**31, [series_id])])
    return list(zip(values.ts.tolist(), values.values.tolist(), strict=True))
