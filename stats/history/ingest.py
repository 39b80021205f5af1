"""Writing values into the raw tier."""

from collections import defaultdict
from collections.abc import Iterable

from django.db import transaction
from django.db.models import Value
from django.db.models.functions import Coalesce, Least

from stats.history import chunks
from stats.models import RawChunk, RollupCursor, Series

# source, metric, label, unix seconds, value
Sample = tuple[str, str, str, float, float]
SeriesKey = tuple[str, str, str]


def store(samples: Iterable[Sample]) -> int:
    """Save samples as raw chunks in one transaction; returns how many were given.

    Samples older than what the minute tier has rolled up (an agent that buffered
    through a database outage) mark that tier to be rolled up again from there.
    """
    by_series: dict[SeriesKey, list[tuple[float, float]]] = defaultdict(list)
    count = 0
    for source, metric, label, ts, value in samples:
        by_series[source, metric, label].append((ts, value))
        count += 1
    if not count:
        return 0
    ids = series_ids(by_series)
    rows = [
        RawChunk(series_id=ids[key], start=start, values=chunks.pack(values))
        for key, points in by_series.items()
        for start, values in chunks.split(points)
    ]
    with transaction.atomic():
        RawChunk.objects.bulk_create(rows, batch_size=500, ignore_conflicts=True)
        mark_stale("minute", min(row.start for row in rows))
    return count


def mark_stale(tier: str, since: int) -> None:
    """Make the next rollup of `tier` redo its buckets from `since`, if it is past them."""
    RollupCursor.objects.filter(tier=tier, done_until__gt=since).update(
        redo_from=Least(Coalesce("redo_from", Value(since)), Value(since))
    )


def series_ids(keys: Iterable[SeriesKey]) -> dict[SeriesKey, int]:
    """Ids of the series with these keys, created where missing (one query when all exist)."""
    keys = set(keys)
    sources = {source for source, _, _ in keys}

    def known() -> dict[SeriesKey, int]:
        rows = Series.objects.filter(source__in=sources).values_list("source", "metric", "label", "pk")
        return {(source, metric, label): pk for source, metric, label, pk in rows}

    ids = known()
    missing = keys - ids.keys()
    if missing:
        Series.objects.bulk_create(
            [Series(source=s, metric=m, label=la) for s, m, la in missing], ignore_conflicts=True
        )
        ids = known()
    return ids
