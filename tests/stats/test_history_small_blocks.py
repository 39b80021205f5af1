"""The hour tier written as small blocks and merged in turn; blocks made before that are cut at their bounds."""

import importlib

import numpy as np
import pytest
from django.apps import apps

from stats.history import blocks, hour_blocks, ingest, query, retention, rollup
from stats.models import HourBlock, MinuteBlock, RawBlock, RollupCursor, Series

NOW = 1_800_000_000  # a whole hour
SPAN = blocks.SPANS["hour"]
DAY = 86_400
SOURCE = "device:7"


def write_hours(first: int, hours: int, labels: list[str]) -> None:
    """A value a minute for each port; the rollup run after each minute, as beat runs it."""
    for minute in range(hours * 60):
        at = first + minute * 60
        ingest.store([(SOURCE, "port.in_bps", label, at + 5, float(index + minute)) for index, label in
                      enumerate(labels)])  # fmt: skip
        rollup.roll_up(at + 60 + 50)


def hour_buckets() -> dict[tuple[int, int], tuple]:
    """(series, hour) -> (min, avg, max, count), read as queries read them: every block of a series merged."""
    stored: dict[int, list] = {}
    for series, start, data in HourBlock.objects.values_list("series_id", "start", "data"):
        stored.setdefault(series, []).append((start, data))
    found = {}
    for series, parts in stored.items():
        merged = blocks.merge_stored_summaries(parts)
        for ts, *summary in zip(*(column.tolist() for column in merged.columns()), strict=True):
            found[series, ts] = tuple(summary)
    return found


@pytest.fixture
def no_turn(monkeypatch):
    """No range of series gets its hour blocks merged meanwhile (hour_blocks.merge_some)."""
    monkeypatch.setattr(hour_blocks, "MERGE_GROUPS", 1_000_000)


def read_hours(first: int) -> dict[str, np.ndarray]:
    """Each port's hourly max over the three hours from `first`, as the series API reads it."""
    body = query.read([SOURCE], ["port.in_bps"], first, first + 3 * 3600, 4, first + 3 * 3600)
    assert (body["tier"], body["t"].tolist()) == ("hour", [first, first + 3600, first + 2 * 3600])
    return {series["label"]: series["max"] for series in body["series"]}


def test_each_hours_close_writes_a_small_block_a_series_merged_later_into_its_30_day_block(db, no_turn, monkeypatch):
    first = NOW - NOW % SPAN + 2 * DAY
    labels = ["p1", "p2"]
    write_hours(first, 3, labels)
    starts = sorted(HourBlock.objects.values_list("start", flat=True))
    assert starts == sorted([first, first + 3600, first + 2 * 3600] * len(labels))  # a block an hour
    before = hour_buckets()
    assert len(before) == len(labels) * 3
    assert {summary[3] for summary in before.values()} == {60}
    assert read_hours(first)["p2"].tolist() == [1 + 59, 1 + 119, 1 + 179]

    monkeypatch.setattr(hour_blocks, "MERGE_GROUPS", 1)  # every series' turn
    assert hour_blocks.merge_some(first + 3 * 3600) == 3 * len(labels)
    assert sorted(HourBlock.objects.values_list("start", flat=True)) == [first - first % SPAN] * len(labels)
    assert hour_buckets() == before
    assert read_hours(first)["p2"].tolist() == [1 + 59, 1 + 119, 1 + 179]


def test_an_hour_redone_replaces_its_small_block_and_those_after_it(db, no_turn):
    first = NOW - NOW % SPAN + 2 * DAY
    write_hours(first, 3, ["p1"])
    (series,) = Series.objects.values_list("pk", flat=True)
    ingest.store([(SOURCE, "port.in_bps", "p1", first + 30, 1000.0)])  # late, in the first hour
    rollup.roll_up(first + 3 * 3600 + 110)
    assert RollupCursor.objects.get(tier="hour").redo_from is None
    assert sorted(HourBlock.objects.values_list("start", flat=True)) == [first]  # the redo's block, from the hour
    assert hour_buckets()[series, first][2:] == (1000.0, 61)
    assert hour_buckets()[series, first + 3600][2:] == (119.0, 60)


def test_retention_removes_small_hour_blocks_with_their_span(db, settings):
    settings.HISTORY_HOUR_DAYS = 60
    [series] = Series.objects.bulk_create([Series(source=SOURCE, metric="port.in_bps")])
    old = NOW - NOW % SPAN - 3 * SPAN
    starts = [old, old + 3600, old + SPAN - 3600, NOW - 3600]  # a span's block, its small ones, and today's
    HourBlock.objects.bulk_create(HourBlock(series=series, start=start, data=b"") for start in starts)
    assert retention.prune(NOW)["hour"] == 3
    assert list(HourBlock.objects.values_list("start", flat=True)) == [NOW - 3600]


@pytest.fixture
def cut():
    return importlib.import_module("stats.migrations.0009_history_blocks_within_their_minute").cut_raw_blocks


def test_blocks_made_before_are_cut_at_their_minutes_and_hours_where_not_rolled_up(db, cut):
    [series] = Series.objects.bulk_create([Series(source=SOURCE, metric="port.in_bps")])
    day = NOW - NOW % DAY
    seconds = np.arange(day + 3600, day + 3600 + 600, 7, dtype=np.int64)  # 10 minutes in one block
    values = blocks.Values(seconds, (seconds % 1000).astype(np.float32))
    closed = blocks.Values(seconds - 3600, values.values)  # an hour rolled up: left as it is
    RawBlock.objects.bulk_create(
        RawBlock(series=series, start=int(v.ts[0]), data=blocks.encode_values(int(v.ts[0]), v))
        for v in (values, closed)
    )
    minutes = blocks.Summaries(*(np.arange(day, day + 3 * 3600, 60),) * 5)  # a day's block of 3 hours
    MinuteBlock.objects.create(series=series, start=day, data=blocks.encode_summaries(day, minutes))
    RollupCursor.objects.create(tier="minute", done_until=day + 3600 + 120)
    RollupCursor.objects.create(tier="hour", done_until=day + 3600)

    cut(apps, None)
    raw = sorted(RawBlock.objects.values_list("start", "data"))
    assert [start for start, _ in raw] == [
        closed.ts[0],
        *(day + 3600 + minute * 60 + (-minute * 60) % 7 for minute in range(10)),
    ]
    assert all(
        (piece := blocks.decode_values(start, data)).ts[0] == start and piece.ts[-1] // 60 == start // 60
        for start, data in raw[1:]
    )
    assert query.stored_values(series.pk) == sorted(
        zip(np.concatenate([closed.ts, seconds]).tolist(), np.concatenate([values.values] * 2).tolist(), strict=True)
    )
    stored = sorted(MinuteBlock.objects.values_list("start", "data"))
    assert [start for start, _ in stored] == [day, day + 3600, day + 2 * 3600]
    assert blocks.merge_stored_summaries(stored).ts.tolist() == minutes.ts.tolist()


def read_hour(first: int) -> dict[str, list]:
    """Each port's (min, max) over the hour from `first` as one bucket, as the series API reads it."""
    body = query.read([SOURCE], ["port.in_bps"], first, first + 3600, 2, first + 3 * 3600)
    assert body["t"].tolist() == [first]
    return {series["label"]: [series["min"].tolist(), series["max"].tolist()] for series in body["series"]}


def test_an_hours_close_is_spread_over_runs_a_range_of_series_each(db, no_turn, monkeypatch):
    monkeypatch.setattr(rollup, "CLOSE_SERIES", 2)
    first = NOW - NOW % SPAN + 2 * DAY
    labels = ["p1", "p2", "p3", "p4", "p5"]
    write_hours(first, 2, labels)  # the first hour closed in one run (the tier's first); the last run began the next
    hour = first + 3600
    ids = sorted(Series.objects.values_list("pk", flat=True))
    expected = {label: [[float(index + 60)], [float(index + 119)]] for index, label in enumerate(labels)}
    closes = []
    for run in range(1, 4):
        cursor = RollupCursor.objects.get(tier="hour")
        closes.append((cursor.done_until, cursor.closing_from, sorted({s for s, at in hour_buckets() if at == hour})))
        assert read_hour(hour) == expected  # from the minute tier while the hour closes, from the hour tier after
        rollup.roll_up(hour + 3600 + run * 60 + 50)
    assert closes == [(hour, ids[2], ids[:2]), (hour, ids[4], ids[:4]), (hour + 3600, 0, ids)]
    assert read_hour(hour) == expected
    assert {summary[3] for summary in hour_buckets().values()} == {60}


def test_minutes_redone_while_an_hour_closes_start_its_close_over(db, no_turn, monkeypatch):
    monkeypatch.setattr(rollup, "CLOSE_SERIES", 2)
    first = NOW - NOW % SPAN + 2 * DAY
    write_hours(first, 2, ["p1", "p2", "p3"])
    hour = first + 3600
    ids = sorted(Series.objects.values_list("pk", flat=True))
    assert RollupCursor.objects.get(tier="hour").closing_from == ids[2]  # the first range is closed
    late = Series.objects.get(pk=ids[0])  # one of its series
    ingest.store([(SOURCE, "port.in_bps", late.label, hour + 30, 1000.0)])  # late, in the closing hour
    rollup.roll_up(hour + 3600 + 110)  # the minute redone; the close starts over from the first range
    cursor = RollupCursor.objects.get(tier="hour")
    assert (cursor.done_until, cursor.closing_from, cursor.redo_from) == (hour, ids[2], None)
    assert hour_buckets()[late.pk, hour][2:] == (1000.0, 61)
    rollup.roll_up(hour + 3600 + 170)
    assert RollupCursor.objects.get(tier="hour").done_until == hour + 3600
    assert read_hour(hour)[late.label][1] == [1000.0]
