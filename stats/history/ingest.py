"""Writing values into the raw tier: a small compressed block per series and write."""

from collections import defaultdict
from collections.abc import Iterable

from django.db import transaction
from django.db.models import Q, Value
from django.db.models.functions import Coalesce, Least

from stats.history import blocks, sql
from stats.models import RawBlock, RollupCursor, Series

# source, metric, label, unix seconds, value
Sample = tuple[str, str, str, float, float]
SeriesKey = tuple[str, str, str]


def store(samples: Iterable[Sample]) -> int:
    """Save samples as raw blocks in one transaction; returns how many were given.

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
    rows = []
    for key, points in by_series.items():
        if len(points) == 1:  # the ingest's usual write: a series' one value of the last second
            [(ts, value)] = points
            if value == value:  # NaN is "no value": a gap, nothing to keep
                rows.append((ids[key], int(ts), blocks.encode_point(value)))
            continue
        for seconds, values in blocks.split_points(points):
            rows.append((ids[key], seconds[0], blocks.encode_points(seconds[0], seconds, values)))
    if not rows:  # only NaN: gaps, nothing to keep
        return count
    with transaction.atomic():
        taken = sql.insert_new(RawBlock, rows)
        if taken:
            _add_to_existing([row for row in rows if (row[0], row[1]) in taken])
        mark_stale("minute", min(start for _, start, _ in rows))
    return count


def _add_to_existing(rows: list[tuple[int, int, bytes]]) -> None:
    """Merge blocks into those already stored under the same key (late values for a written second)."""
    ids = sorted({series for series, _, _ in rows})
    starts = [start for _, start, _ in rows]
    stored = {(series, start): data for series, start, data in sql.blocks(RawBlock, min(starts), max(starts) + 1, ids)}
    merged = []
    for series, start, data in rows:
        old, new = (blocks.decode_values(start, packed) for packed in (stored[series, start], data))
        merged.append((series, start, blocks.encode_values(start, blocks.merge_values([old, new]))))
    sql.upsert(RawBlock, merged)


def mark_stale(tier: str, since: int) -> None:
    """Make the next rollup of `tier` redo its buckets from `since`, if it is past them or closing the hour
    holding them (stats.history.rollup spreads an hour's close over runs)."""
    closing = Q(closing_from__gt=0, done_until__gt=since - 3600)  # the hour after done_until is closing
    RollupCursor.objects.filter(Q(done_until__gt=since) | closing, tier=tier).update(
        redo_from=Least(Coalesce("redo_from", Value(since)), Value(since))
    )


def series_ids(keys: Iterable[SeriesKey]) -> dict[SeriesKey, int]:
    """Ids of the series with these keys, created where missing (one query when all exist)."""
    keys = set(keys)
    sources = sorted({source for source, _, _ in keys})

    def known() -> dict[SeriesKey, int]:
        return {(source, metric, label): pk for source, metric, label, pk in sql.series_of(sources)}

    ids = known()
    missing = keys - ids.keys()
    if missing:
        Series.objects.bulk_create(
            [Series(source=s, metric=m, label=la) for s, m, la in missing], ignore_conflicts=True
        )
        ids = known()
    return ids
