"""History in the database: raw blocks, rollups (also of late data), queries across tiers, retention."""

import random
import re
import sqlite3
from collections import Counter
from types import SimpleNamespace

import numpy as np
import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext

from stats import intake
from stats.history import blocks, ingest, minute_blocks, query, raw_blocks, raw_summaries, retention, rollup, sql
from stats.history.buckets import as_summaries, reduce
from stats.history.metrics import frame_points
from stats.models import HourBlock, MinuteBlock, RawBlock, RollupCursor, Series

NOW = 1_800_000_000  # a whole hour
DAY = 86_400
SOURCE = "agent:h1"


def samples(start: int, seconds: int, seed: int = 1, metric: str = "cpu.percent"):
    rng = random.Random(seed)
    return [(SOURCE, metric, "", start + t + 0.25, round(rng.uniform(0, 100), 1)) for t in range(seconds)]


def stored_raw(given) -> dict[int, blocks.Values]:
    """What the raw tier holds for `given`, per series id (float32 precision)."""
    ids = dict(Series.objects.values_list("metric", "pk"))
    stored = {pk: query.stored_values(pk) for pk in ids.values()}
    assert sum(len(found) for found in stored.values()) == len(given)
    assert all((int(ts), pytest.approx(v, rel=1e-6)) in stored[ids[m]] for _, m, _, ts, v in given)
    return {
        pk: blocks.Values(np.array([t for t, _ in found]), np.array([v for _, v in found], np.float32))
        for pk, found in stored.items()
    }


def rollups(model) -> dict[tuple[int, int], tuple]:
    """(series, bucket ts) -> (min, avg, max, count) of every bucket in a rollup tier."""
    found = {}
    for series, start, data in model.objects.values_list("series_id", "start", "data"):
        block = blocks.decode_summaries(start, data)
        for ts, *summary in zip(*(column.tolist() for column in block.columns()), strict=True):
            found[series, ts] = tuple(summary)
    return found


def test_rollups_in_the_database_equal_the_rollup_of_the_values(db):
    given = samples(NOW - 2 * 3600, 2 * 3600) + samples(NOW - 2 * 3600, 2 * 3600, seed=2, metric="mem.percent")
    assert ingest.store(given) == len(given)
    assert rollup.roll_up(NOW + 120) == {"minute": 2 * 120, "hour": 2 * 2}
    # Minutes: a block per series and hour (stats.history.minute_blocks); hours: per series and 30 days.
    assert MinuteBlock.objects.count() == 2 * 2
    assert HourBlock.objects.count() == 2

    saved_minutes, saved_hours = rollups(MinuteBlock), rollups(HourBlock)
    for series, values in stored_raw(given).items():
        for width, saved in ((60, saved_minutes), (3600, saved_hours)):
            expected = reduce(as_summaries(values), NOW - 2 * 3600, width, 2 * 3600 // width)
            for ts, low, avg, high, count in zip(*(c.tolist() for c in expected.columns()), strict=True):
                s_low, s_avg, s_high, s_count = saved[series, ts]
                assert (s_low, s_high, s_count) == (low, high, count)
                assert s_avg == pytest.approx(avg, rel=1e-12)
        assert saved_minutes[series, NOW - 3600][3] == 60


def test_only_complete_minutes_are_rolled_up_and_a_second_run_writes_nothing(db, settings):
    settings.SAMPLE_PERSIST_EVERY = 10
    ingest.store(samples(NOW - 300, 300))
    assert rollup.roll_up(NOW)["minute"] == 4  # the last minute may still get values (grace: 30 s)
    assert RollupCursor.objects.get(tier="minute").done_until == NOW - 60
    assert rollup.roll_up(NOW)["minute"] == 0
    assert rollup.roll_up(NOW + 60)["minute"] == 1


def test_more_series_than_one_statement_may_name_are_rolled_up(db, request):
    # 1,000 switches of 48 ports keep 288,000 series, more than one SQLite statement may
    # name: 32,766 parameters by default, 250,000 in Debian's build (set back here).
    if connection.vendor != "sqlite":
        pytest.skip("Django binds PostgreSQL parameters on the client side: no such limit")
    connection.ensure_connection()
    limit = connection.connection.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, 32_766)  # returns the old one
    request.addfinalizer(lambda: connection.connection.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, limit))
    count = 33_000
    ingest.store(("device:1", "port.in_bps", f"p{i}", NOW - 90, float(i)) for i in range(count))
    assert rollup.roll_up(NOW)["minute"] == count
    ingest.store(("device:1", "port.in_bps", f"p{i}", NOW - 30, float(i)) for i in range(count))
    assert rollup.roll_up(NOW + 60)["minute"] == count
    # Each minute written as a small block; a 30th of the series' blocks merged (stats.history.minute_blocks).
    assert count < MinuteBlock.objects.count() < 2 * count
    ids = dict(Series.objects.values_list("label", "pk"))
    assert rollups(MinuteBlock)[ids["p32999"], NOW - 60] == (32999.0, 32999.0, 32999.0, 1)


def test_writing_and_reading_any_number_of_series_uses_few_statement_texts(db):
    # Each connection keeps its last 128 statements compiled, about half a MiB for one
    # naming a thousand rows: a text per count of series would fill that with big ones.
    counts = range(1, 301, 7)
    with CaptureQueriesContext(connection) as captured:
        for count in counts:
            ingest.store(("agent:many", "cpu.percent", f"c{i}", NOW - 3600 + count, float(i)) for i in range(count))
            ids = list(Series.objects.filter(label__in=[f"c{i}" for i in range(count)]).values_list("pk", flat=True))
            assert {series for series, _, _ in sql.blocks(RawBlock, 0, 2**31, ids)} == set(ids)
    # The SQL as run, with the values in it: the shapes are the counts of ids.
    texts = [query["sql"] for query in captured.captured_queries if "_rawblock" in query["sql"]]
    # Rows go in through one statement run for each (executemany): one text, whatever the count.
    ids = {len(re.search(r"IN \(([^)]*)\)", text)[1].split(",")) for text in texts if text.startswith("SELECT")}
    assert ids <= {512, 256, 128, 64, 32, 16, 8, 4, 2, 1}
    assert RawBlock.objects.filter(series__label="c0").count() == len(counts)  # nothing lost or doubled


def test_inserting_tells_only_the_keys_stored_before_with_other_data(db):
    for second in (NOW - 60, NOW - 59):  # a write a second: a block each
        ingest.store(samples(second, 1))
    [(series, first, data), (_, last, _)] = RawBlock.objects.order_by("start").values_list("series_id", "start", "data")
    given = [(series, first, bytes(data)), (series, last, blocks.encode_point(5.0)), (series, NOW, bytes(data))]
    assert sql.insert_new(RawBlock, given) == {(series, last)}  # the first is the same block again
    assert RawBlock.objects.filter(series_id=series, start=NOW).exists()


def SERIES_ID() -> int:
    return Series.objects.get(source=SOURCE, metric="cpu.percent").pk


def test_late_values_are_rolled_up_again(db):
    ingest.store(samples(NOW - 2 * 3600, 3600))
    rollup.roll_up(NOW)
    minute = NOW - 2 * 3600 + 600
    assert rollups(MinuteBlock)[SERIES_ID(), minute][3] == 60
    # An agent that buffered through an outage delivers a value for a second already
    # written, and one for a second of the hour that had none.
    ingest.store([(SOURCE, "cpu.percent", "", minute + 30, 1000.0), (SOURCE, "cpu.percent", "", NOW - 3600 + 5, -1.0)])
    assert RollupCursor.objects.get(tier="minute").redo_from == minute + 30

    rollup.roll_up(NOW)
    after = rollups(MinuteBlock)[SERIES_ID(), minute]
    assert (after[2], after[3]) == (1000.0, 60)  # the later value replaced the earlier one
    assert rollups(MinuteBlock)[SERIES_ID(), NOW - 3600] == (-1.0, -1.0, -1.0, 1)
    hour = rollups(HourBlock)[SERIES_ID(), NOW - 2 * 3600]
    assert (hour[2], hour[3]) == (1000.0, 3600)
    assert RollupCursor.objects.get(tier="minute").redo_from is None
    rollup.roll_up(NOW + 3600 + 60)  # the run that ends the next hour merges those before it
    assert sorted(RawBlock.objects.values_list("start", flat=True)) == [NOW - 2 * 3600, NOW - 3600]


def test_a_late_value_under_a_stored_blocks_key_is_merged_into_it(db):
    hour = NOW - 3600
    ingest.store(samples(hour, 120))
    rollup.roll_up(NOW + 3600 + 60)  # the hour's blocks merged into one, keyed by the hour's start
    [merged] = RawBlock.objects.all()
    assert merged.start == hour
    # A late write whose first second is the hour's start: the same key as the merged block.
    ingest.store([(SOURCE, "cpu.percent", "", hour + 0.5, -7.0), (SOURCE, "cpu.percent", "", hour + 500, 8.0)])
    stored = dict(query.stored_values(SERIES_ID()))
    assert len(stored) == 121
    assert (stored[hour], stored[hour + 500]) == (-7.0, 8.0)  # the later value wins
    assert stored[hour + 1] == pytest.approx(samples(hour, 2)[1][4], rel=1e-6)  # the rest kept
    assert sorted(RawBlock.objects.values_list("start", flat=True)) == [hour, hour + 500]  # a block a minute


def test_a_query_uses_the_rolled_up_tier_and_the_raw_tail_after_it(db):
    ingest.store(samples(NOW - DAY, DAY))
    rollup.roll_up(NOW - 600)  # the last ten minutes are not rolled up yet
    body = query.read([SOURCE], ["cpu.percent"], NOW - DAY, NOW, 1000, NOW)
    assert (body["tier"], body["step"]) == ("minute", 120)
    assert len(body["t"]) == 720
    [series] = body["series"]
    assert series["metric"] == "cpu.percent"
    assert not np.isnan(series["avg"]).any()  # the tail comes from raw blocks
    # Each bucket matches the values themselves.
    values = {int(ts): v for _, _, _, ts, v in samples(NOW - DAY, DAY)}
    for index in (0, 359, 715, 719):
        start = body["t"][index]
        in_bucket = [values[t] for t in range(start, start + 120) if t in values]
        assert series["min"][index] == pytest.approx(min(in_bucket), rel=1e-6)
        assert series["max"][index] == pytest.approx(max(in_bucket), rel=1e-6)
        assert series["avg"][index] == pytest.approx(sum(in_bucket) / len(in_bucket), rel=1e-6)


def test_a_short_range_comes_from_raw_values_with_gaps_as_nan(db):
    ingest.store(samples(NOW - 600, 300))  # nothing in the last five minutes
    body = query.read([SOURCE], ["cpu.percent"], NOW - 600, NOW, 1000, NOW)
    assert (body["tier"], body["step"], len(body["t"])) == ("raw", 1, 600)
    avg = body["series"][0]["avg"]
    assert not np.isnan(avg[:300]).any()
    assert np.isnan(avg[300:]).all()


def test_retention_removes_what_is_older_than_each_tier_and_nothing_younger(db, settings):
    settings.HISTORY_RAW_DAYS, settings.HISTORY_MINUTE_DAYS, settings.HISTORY_HOUR_DAYS = 1, 2, 60
    [series] = Series.objects.bulk_create([Series(source=SOURCE, metric="cpu.percent")])
    stored = {
        RawBlock: [NOW - DAY - 3600, NOW - DAY - 1, NOW - DAY, NOW - 10],  # one-hour spans
        MinuteBlock: [NOW - 3 * DAY, NOW - 2 * DAY - 3600, NOW - DAY],  # one-day spans
        HourBlock: [NOW - 90 * DAY, NOW - 60 * DAY, NOW - DAY],  # 30-day spans
    }
    for model, starts in stored.items():
        model.objects.bulk_create(model(series=series, start=start, data=b"") for start in starts)

    assert retention.prune(NOW) == {"raw": 2, "minute": 1, "hour": 1}
    # Kept: every block whose span still has a second within its tier's retention
    # (NOW is a whole hour: the hour before NOW - DAY is wholly older than a day).
    assert sorted(NOW - s for s in RawBlock.objects.values_list("start", flat=True)) == [10, DAY]
    assert sorted(NOW - s for s in MinuteBlock.objects.values_list("start", flat=True)) == [DAY, 2 * DAY + 3600]
    assert sorted(NOW - s for s in HourBlock.objects.values_list("start", flat=True)) == [DAY, 60 * DAY]
    assert retention.prune(NOW) == {"raw": 0, "minute": 0, "hour": 0}


def test_a_tier_over_its_size_limit_loses_its_oldest_spans_first(db, settings):
    settings.HISTORY_MAX_MB = {"raw": 1, "minute": 0, "hour": 0}
    ingest.series_ids([(SOURCE, f"m{i}", "") for i in range(10)])
    ids = list(Series.objects.values_list("pk", flat=True))
    block = np.random.default_rng(1).bytes(40_000)  # incompressible stand-ins for blocks
    hours = [NOW - (h + 1) * 3600 for h in range(5)]
    RawBlock.objects.bulk_create(RawBlock(series_id=i, start=h, data=block) for i in ids for h in hours)
    assert retention.stored_bytes(RawBlock) > 2_000_000

    deleted = retention.prune(NOW)
    # 400 KB per hour: the newest two hours fit in 1 MB, the third would not.
    assert deleted["raw"] == 30
    assert sorted(set(RawBlock.objects.values_list("start", flat=True))) == [NOW - 2 * 3600, NOW - 3600]
    assert retention.stored_bytes(RawBlock) <= 1_000_000


FRAME = {
    "type": "stats",
    "host": "agent-one",
    "ts": NOW + 0.5,
    "cpu": {"count": 2, "percent": 3.0, "user": 0.5, "system": 1.5, "iowait": 0.0, "steal": 1.0, "cores": [3.0, 2.9]},
    "load": {"1m": 0.69, "5m": 0.29, "15m": 0.14, "per_core": 0.34},
    "mem": {"total": 25276510208, "used": 655560704, "percent": 2.6, "swap_total": 0, "swap_percent": 0.0},
    "disk": {"mounts": {"/": {"total": 270553174016, "used": 24059555840, "percent": 22.1}}},
    "net": {
        "lo": {
            "rx_bps": 10.0,
            "tx_bps": 10.0,
            "rx_errors_ps": 0.0,
            "tx_errors_ps": 0.0,
            "rx_drops_ps": 0.0,
            "tx_drops_ps": 0.0,
            "up": True,
        },
        "ifb0": {"rx_bps": 0.0, "tx_bps": 0.0, "up": False},
        "eth0": {
            "rx_bps": 2686662.8,
            "tx_bps": 5.0,
            "rx_errors_ps": 0.0,
            "tx_errors_ps": 0.0,
            "rx_drops_ps": 1.0,
            "tx_drops_ps": 0.0,
            "up": True,
        },
    },
    "tcp": {"established": 2, "time_wait": 2},
    "uptime": 468,
}


def test_an_agents_frames_are_saved_as_history(db):
    intake.write({"agent-one": [("1-0", FRAME)]})
    kept = {(m, label) for m, label, _ in frame_points(FRAME)}
    # 4 CPU, 2 memory, 3 load, 1 mount, 6 rates for each interface that is up, 1 TCP
    assert len(kept) == 4 + 2 + 3 + 1 + 2 * 6 + 1
    assert ("net.rx_bps", "eth0") in kept
    assert ("net.rx_bps", "ifb0") not in kept
    saved = set(Series.objects.filter(source="agent:agent-one").values_list("metric", "label"))
    assert saved == kept
    cpu = Series.objects.get(source="agent:agent-one", metric="cpu.percent")
    assert query.stored_values(cpu.pk) == [(NOW, 3.0)]
    eth0 = Series.objects.get(source="agent:agent-one", metric="net.rx_bps", label="eth0")
    assert query.stored_values(eth0.pk) == [(NOW, pytest.approx(2686662.8, rel=1e-7))]


def test_an_hours_blocks_are_merged_into_one_before_it_is_rolled_up(db):
    given = samples(NOW - 120, 120)
    for flush in range(0, 120, 10):  # as an agent writes: a block every 10 s
        ingest.store(given[flush : flush + 10])
    assert RawBlock.objects.count() == 12
    rollup.roll_up(NOW + 60)
    [merged] = RawBlock.objects.all()
    assert merged.start == NOW - 3600  # the hour's start
    restored = blocks.decode_values(merged.start, merged.data)
    assert restored.ts.tolist() == [int(ts) for *_, ts, _ in given]
    assert restored.values.tolist() == [pytest.approx(v, rel=1e-6) for *_, v in given]
    assert sum(1 for *_, count in rollups(MinuteBlock).values() if count == 60) == 2


def test_each_run_reads_only_its_minutes_raw_blocks_and_merges_a_range_of_series_in_turn(db, settings, monkeypatch):
    settings.SAMPLE_PERSIST_EVERY = 10
    hour = NOW
    keys = [(SOURCE, "port.in_bps", f"p{i}") for i in range(2 * raw_blocks.RAW_GROUPS)]
    reads = []
    spy = SimpleNamespace(blocks=lambda *args: reads.append(args[1:3]) or sql.blocks(*args))
    monkeypatch.setattr(raw_summaries, "sql", spy)

    def write_minute(minute: int) -> None:  # switch ports polled once a minute: a block each
        ingest.store([(*key, hour + minute * 60 + 5, float(minute)) for key in keys])

    most = 0
    for minute in range(60):
        write_minute(minute)
        rollup.roll_up(hour + minute * 60 + 95)
        most = max(most, *Counter(RawBlock.objects.values_list("series_id", flat=True)).values())
    # After the first run, each reads the blocks of the minute it rolls up, not the open hour's.
    assert reads[1:] == [(hour + minute * 60, hour + (minute + 1) * 60) for minute in range(1, 60)]
    # Merged in turn, a range of series a run: a block a turn, and those written since the last.
    assert most <= raw_blocks.RAW_GROUPS + 60 // raw_blocks.RAW_GROUPS + 1
    for minute in range(60, 60 + raw_blocks.RAW_GROUPS):  # the ended hour: merged into one in each range's turn
        write_minute(minute)
        rollup.roll_up(hour + minute * 60 + 95)
    for series in Series.objects.all():
        [merged] = RawBlock.objects.filter(series=series, start__lt=hour + 3600)
        assert (merged.start, len(blocks.decode_values(merged.start, merged.data))) == (hour, 60)
    assert sorted(Counter(count for *_, count in rollups(MinuteBlock).values()).items()) == [
        (1, len(keys) * (60 + raw_blocks.RAW_GROUPS))
    ]


def test_values_merged_meanwhile_or_late_are_rolled_up_exactly(db, settings):
    settings.SAMPLE_PERSIST_EVERY = 10
    given = samples(NOW, 20 * 60, seed=3)
    for minute in range(20):  # written every 10 s, rolled up each minute: merged in turn meanwhile
        for flush in range(6):
            ingest.store(given[minute * 60 + flush * 10 : minute * 60 + flush * 10 + 10])
        rollup.roll_up(NOW + minute * 60 + 95)
    late = [(SOURCE, "cpu.percent", "", NOW + 65.5, 500.0), (SOURCE, "cpu.percent", "", NOW + 1130, -5.0)]
    ingest.store(late)  # a second already rolled up and merged, and one that had no value
    rollup.roll_up(NOW + 20 * 60 + 95)
    expected = {int(ts): v for *_, ts, v in given} | {int(ts): v for *_, ts, v in late}
    saved = rollups(MinuteBlock)
    for minute in range(20):
        inside = [v for t, v in expected.items() if NOW + minute * 60 <= t < NOW + minute * 60 + 60]
        low, avg, high, count = saved[SERIES_ID(), NOW + minute * 60]
        assert (low, high, count) == (pytest.approx(min(inside)), pytest.approx(max(inside)), len(inside))
        assert avg == pytest.approx(sum(inside) / len(inside), rel=1e-6)


def test_each_minute_run_writes_small_blocks_that_are_merged_in_turn_into_the_same_buckets(db):
    hour = NOW - NOW % 3600 - 3 * 3600
    series_count, minutes = 60, 45
    given = [("device:9", "port.in_bps", f"p{i}", hour + m * 60 + 5, float(i + m)) for i in range(series_count)
             for m in range(minutes)]  # fmt: skip
    for minute in range(minutes):
        ingest.store(given[minute::minutes])
        rollup.roll_up(hour + (minute + 1) * 60 + settings.SAMPLE_PERSIST_EVERY + 21)
    blocks_per_series = Counter(MinuteBlock.objects.values_list("series_id", flat=True))
    assert max(blocks_per_series.values()) <= minute_blocks.MERGE_GROUPS + 1  # merged in turn, never all at once
    assert min(blocks_per_series.values()) < minutes
    ids = dict(Series.objects.values_list("label", "pk"))
    for label in ("p0", "p59"):
        stored = [(start, data) for _, start, data in MinuteBlock.objects.filter(series=ids[label]).values_list(
            "series_id", "start", "data")]  # fmt: skip
        merged = blocks.merge_stored_summaries(stored)
        base = int(label[1:])
        assert merged.ts.tolist() == [hour + m * 60 for m in range(minutes)]
        assert merged.avg.tolist() == [float(base + m) for m in range(minutes)]


def test_a_backlog_of_an_older_day_is_merged_into_one_block_a_series_as_it_is_rolled_up(db):
    """merge_some reaches back to yesterday only: a day before it, rolled up late, is merged at once
    (else its hour blocks would stay for the whole retention, costing bytes and reads)."""
    day = NOW - NOW % DAY - 3 * DAY
    given = samples(day + 3600, 5 * 3600) + samples(day + 3600, 5 * 3600, seed=2, metric="mem.percent")
    ingest.store(given)
    rollup.roll_up(NOW)
    old_blocks = MinuteBlock.objects.filter(start__gte=day, start__lt=day + DAY)
    assert sorted(old_blocks.values_list("start", flat=True)) == [day, day]  # one a series, at the day's start
    saved = rollups(MinuteBlock)
    for series, values in stored_raw(given).items():
        expected = reduce(as_summaries(values), day + 3600, 60, 5 * 60)
        assert [saved[series, ts][3] for ts in expected.ts.tolist()] == expected.count.tolist()
