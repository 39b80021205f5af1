"""Reading a range of history at a bounded number of points, from the best tier."""

from collections import defaultdict

from stats.history import sql, tiers
from stats.history.buckets import Plan, Summary, bucket_start, downsample, plan, summarize
from stats.history.chunks import unpack
from stats.models import HourRollup, MinuteRollup, RollupCursor, Series

ROLLUPS = {"minute": MinuteRollup, "hour": HourRollup}


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

    The chosen tier serves the range up to where it is rolled up; the finer tiers fill
    in the rest, so the last minutes show even before their rollup runs.
    """
    configured = tiers.configured()
    query_plan = plan(start, end, points, now, configured)
    series = list(Series.objects.filter(source__in=sources, metric__in=metrics).order_by("source", "metric", "label"))
    if max_values is not None and len(series) * query_plan.count > max_values:
        raise TooMuch(
            f"{len(series)} series x {query_plan.count} points is more than {max_values:,} values: "
            "ask for fewer points or metrics"
        )
    rows: dict[int, list[tuple[int, Summary]]] = defaultdict(list)
    if series:
        done = dict(RollupCursor.objects.values_list("tier", "done_until"))
        ids = [s.pk for s in series]
        low = query_plan.first
        for tier in reversed(configured[: query_plan.tier + 1]):
            high = end if tier.name == "raw" else min(end, done.get(tier.name, 0))
            if high > low:
                _read_tier(tier.name, ids, low, high, query_plan, rows)
                low = high
    return {
        "from": start,
        "to": end,
        "tier": configured[query_plan.tier].name,
        "step": query_plan.width,
        "t": [query_plan.first + i * query_plan.width for i in range(query_plan.count)],
        "series": [
            _columns(s, downsample(rows[s.pk], query_plan.first, query_plan.width, query_plan.count)) for s in series
        ],
    }


def _read_tier(tier: str, ids: list[int], low: int, high: float, query_plan: Plan, rows: dict) -> None:
    if tier in ROLLUPS:
        for series, ts, summary in sql.bucketed_rollups(
            ROLLUPS[tier], ids, low, high, query_plan.first, query_plan.width
        ):
            rows[series].append((ts, summary))
        return
    found = sql.chunks(bucket_start(low, 60), high, ids)
    # A chunk lies within one minute: when buckets are whole minutes, its summary will do.
    whole_minutes = query_plan.width % 60 == 0
    for series, start, data in found:
        values = unpack(data)
        if whole_minutes:
            summary = summarize(values)
            if summary is not None:
                rows[series].append((start, summary))
            continue
        for offset, value in enumerate(values):
            if value == value and low <= start + offset < high:
                rows[series].append((start + offset, (value, value, value, 1)))


def _columns(series: Series, buckets: list[Summary | None]) -> dict:
    columns = {"source": series.source, "metric": series.metric, "label": series.label}
    for index, name in enumerate(("min", "avg", "max")):
        columns[name] = [None if b is None else b[index] for b in buckets]
    return columns
