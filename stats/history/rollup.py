"""Rolling raw chunks up into minutes and minutes into hours (a Celery task every minute)."""

from collections.abc import Callable, Iterator

from django.conf import settings
from django.db.models import Min

from stats.history.buckets import Summary, bucket_start, rollup, summarize
from stats.history.chunks import unpack
from stats.history.ingest import mark_stale
from stats.models import HourRollup, MinuteRollup, RawChunk, Rollup, RollupCursor

Reader = Callable[[int, int], Iterator[tuple[int, int, Summary]]]

# Buckets rolled up per transaction: bounds memory on a first run over a long backlog.
WINDOW = {"minute": 6 * 3600, "hour": 7 * 86_400}


def roll_up(now: float) -> dict[str, int]:
    """Roll up every complete bucket not done yet, and those late data made stale.

    A minute is complete once agents have flushed it (SAMPLE_PERSIST_EVERY plus a
    margin); an hour once its minutes are rolled up. Returns buckets written per tier.
    """
    grace = settings.SAMPLE_PERSIST_EVERY + 20
    minutes = _advance("minute", 60, _chunk_summaries, MinuteRollup, until=now - grace, source_start=_first_chunk)
    minute_done = RollupCursor.objects.get(tier="minute").done_until
    hours = _advance("hour", 3600, _minute_summaries, HourRollup, until=minute_done, source_start=_first_minute)
    return {"minute": minutes, "hour": hours}


def _advance(
    tier: str, width: int, read: Reader, model: type[Rollup], until: float, source_start: Callable[[], int | None]
) -> int:
    cursor, _ = RollupCursor.objects.get_or_create(tier=tier)
    # Take the redo mark before reading: data arriving meanwhile sets it again.
    RollupCursor.objects.filter(pk=cursor.pk, redo_from=cursor.redo_from).update(redo_from=None)
    start = cursor.done_until if cursor.redo_from is None else min(cursor.done_until, cursor.redo_from)
    if start == 0:  # never rolled up: begin with the oldest data there is
        start = source_start()
        if start is None:
            return 0
    start, end = bucket_start(start, width), bucket_start(until, width)
    written = 0
    for window_start in range(start, end, WINDOW[tier]):
        window_end = min(end, window_start + WINDOW[tier])
        buckets = rollup(read(window_start, window_end), width)
        model.objects.bulk_create(
            [
                model(series_id=s, ts=ts, min=mn, avg=avg, max=mx, count=n)
                for (s, ts), (mn, avg, mx, n) in buckets.items()
            ],
            batch_size=1000,
            update_conflicts=True,
            unique_fields=["series", "ts"],
            update_fields=["min", "avg", "max", "count"],
        )
        written += len(buckets)
        RollupCursor.objects.filter(pk=cursor.pk, done_until__lt=window_end).update(done_until=window_end)
    if tier == "minute" and end > start:
        mark_stale("hour", start)  # hours holding minutes just redone
    return written


def _chunk_summaries(start: int, end: int) -> Iterator[tuple[int, int, Summary]]:
    rows = RawChunk.objects.filter(start__gte=start, start__lt=end).values_list("series_id", "start", "values")
    for series, chunk_start, values in rows.iterator(chunk_size=5000):
        summary = summarize(unpack(values))
        if summary is not None:
            yield series, chunk_start, summary


def _minute_summaries(start: int, end: int) -> Iterator[tuple[int, int, Summary]]:
    rows = MinuteRollup.objects.filter(ts__gte=start, ts__lt=end).values_list(
        "series_id", "ts", "min", "avg", "max", "count"
    )
    for series, ts, *summary in rows.iterator(chunk_size=5000):
        yield series, ts, tuple(summary)


def _first_chunk() -> int | None:
    return RawChunk.objects.aggregate(first=Min("start"))["first"]


def _first_minute() -> int | None:
    return MinuteRollup.objects.aggregate(first=Min("ts"))["first"]
