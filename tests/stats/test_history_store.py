"""History in the database: raw chunks, rollups (also of late data), queries across tiers, retention."""

import random

import pytest

from stats import intake
from stats.history import ingest, query, retention, rollup
from stats.history.buckets import rollup as pure_rollup
from stats.history.chunks import unpack
from stats.history.metrics import frame_points
from stats.models import HourRollup, MinuteRollup, RawChunk, RollupCursor, Series

NOW = 1_800_000_000  # a whole hour
DAY = 86_400
SOURCE = "agent:h1"


def samples(start: int, seconds: int, seed: int = 1, metric: str = "cpu.percent"):
    rng = random.Random(seed)
    return [(SOURCE, metric, "", start + t + 0.25, round(rng.uniform(0, 100), 1)) for t in range(seconds)]


def per_second(given) -> list[tuple[int, int, tuple]]:
    """What the raw tier holds for `given`, as rows for the pure rollup (float32 precision)."""
    ids = dict(Series.objects.values_list("metric", "pk"))
    stored = {}
    for series, start, data in RawChunk.objects.values_list("series_id", "start", "values"):
        for offset, value in enumerate(unpack(data)):
            if value == value:
                stored[series, start + offset] = value
    assert len(stored) == len(given)
    assert all((ids[m], int(ts)) in stored for _, m, _, ts, _ in given)
    return [(series, ts, (v, v, v, 1)) for (series, ts), v in stored.items()]


def test_rollups_in_the_database_equal_the_pure_rollup(db):
    given = samples(NOW - 2 * 3600, 2 * 3600) + samples(NOW - 2 * 3600, 2 * 3600, seed=2, metric="mem.percent")
    assert ingest.store(given) == len(given)
    assert rollup.roll_up(NOW + 120) == {"minute": 2 * 120, "hour": 2 * 2}

    expected_minutes = pure_rollup(per_second(given), 60)
    saved_minutes = {(r.series_id, r.ts): (r.min, r.avg, r.max, r.count) for r in MinuteRollup.objects.all()}
    assert saved_minutes.keys() == expected_minutes.keys()
    for key, (low, avg, high, count) in expected_minutes.items():
        assert saved_minutes[key][0] == low
        assert saved_minutes[key][2] == high
        assert saved_minutes[key][3] == count == 60
        assert saved_minutes[key][1] == pytest.approx(avg, rel=1e-9)
    expected_hours = pure_rollup(per_second(given), 3600)
    for row in HourRollup.objects.all():
        low, avg, high, count = expected_hours[row.series_id, row.ts]
        assert (row.min, row.max, row.count) == (low, high, count)
        assert row.avg == pytest.approx(avg, rel=1e-9)


def test_only_complete_minutes_are_rolled_up_and_a_second_run_writes_nothing(db, settings):
    settings.SAMPLE_PERSIST_EVERY = 10
    ingest.store(samples(NOW - 300, 300))
    assert rollup.roll_up(NOW)["minute"] == 4  # the last minute may still get values (grace: 30 s)
    assert RollupCursor.objects.get(tier="minute").done_until == NOW - 60
    assert rollup.roll_up(NOW)["minute"] == 0
    assert rollup.roll_up(NOW + 60)["minute"] == 1


def test_late_values_are_rolled_up_again(db):
    ingest.store(samples(NOW - 2 * 3600, 3600))
    rollup.roll_up(NOW)
    before = MinuteRollup.objects.get(ts=NOW - 2 * 3600 + 600)
    assert before.count == 60
    # An agent that buffered through an outage delivers a value for a second that had none.
    RawChunk.objects.filter(start=NOW - 2 * 3600 + 600).delete()
    ingest.store([(SOURCE, "cpu.percent", "", NOW - 2 * 3600 + 630, 1000.0)])
    assert RollupCursor.objects.get(tier="minute").redo_from == NOW - 2 * 3600 + 630

    rollup.roll_up(NOW)
    after = MinuteRollup.objects.get(ts=NOW - 2 * 3600 + 600)
    assert (after.count, after.max) == (1, 1000.0)
    hour = HourRollup.objects.get(ts=NOW - 2 * 3600)
    assert hour.max == 1000.0
    assert hour.count == 3600 - 60 + 1
    assert RollupCursor.objects.get(tier="minute").redo_from is None


def test_a_query_uses_the_rolled_up_tier_and_the_raw_tail_after_it(db):
    ingest.store(samples(NOW - DAY, DAY))
    rollup.roll_up(NOW - 600)  # the last ten minutes are not rolled up yet
    body = query.read([SOURCE], ["cpu.percent"], NOW - DAY, NOW, 1000, NOW)
    assert (body["tier"], body["step"]) == ("minute", 120)
    assert len(body["t"]) == 720
    [series] = body["series"]
    assert series["metric"] == "cpu.percent"
    assert None not in series["avg"]  # the tail comes from raw chunks
    # Each bucket matches the values themselves.
    values = {int(ts): v for _, _, _, ts, v in samples(NOW - DAY, DAY)}
    for index in (0, 359, 715, 719):
        start = body["t"][index]
        in_bucket = [values[t] for t in range(start, start + 120) if t in values]
        assert series["min"][index] == pytest.approx(min(in_bucket), rel=1e-6)
        assert series["max"][index] == pytest.approx(max(in_bucket), rel=1e-6)
        assert series["avg"][index] == pytest.approx(sum(in_bucket) / len(in_bucket), rel=1e-6)


def test_a_short_range_comes_from_raw_values_with_gaps_as_none(db):
    ingest.store(samples(NOW - 600, 300))  # nothing in the last five minutes
    body = query.read([SOURCE], ["cpu.percent"], NOW - 600, NOW, 1000, NOW)
    assert (body["tier"], body["step"], len(body["t"])) == ("raw", 1, 600)
    avg = body["series"][0]["avg"]
    assert all(v is not None for v in avg[:300])
    assert all(v is None for v in avg[300:])


def test_retention_removes_what_is_older_than_each_tier_and_nothing_younger(db, settings):
    settings.HISTORY_RAW_DAYS, settings.HISTORY_MINUTE_DAYS, settings.HISTORY_HOUR_DAYS = 1, 2, 3
    [series] = Series.objects.bulk_create([Series(source=SOURCE, metric="cpu.percent")])
    for age in (DAY + 3600, DAY + 60, DAY + 30, DAY, 10):  # in seconds before NOW
        RawChunk.objects.create(series=series, start=NOW - age, values=b"\0\0\0\0")
    for age in (2 * DAY + 120, 2 * DAY + 60, 2 * DAY + 30, DAY):
        MinuteRollup.objects.create(series=series, ts=NOW - age, min=0, avg=0, max=0, count=1)
    for age in (3 * DAY + 7200, 3 * DAY + 3600, 3 * DAY + 1800, 3600):
        HourRollup.objects.create(series=series, ts=NOW - age, min=0, avg=0, max=0, count=1)

    assert retention.prune(NOW) == {"raw": 2, "minute": 2, "hour": 2}
    # Kept: every row that still covers a second within its tier's retention.
    assert sorted(NOW - s for s in RawChunk.objects.values_list("start", flat=True)) == [10, DAY, DAY + 30]
    assert sorted(NOW - t for t in MinuteRollup.objects.values_list("ts", flat=True)) == [DAY, 2 * DAY + 30]
    assert sorted(NOW - t for t in HourRollup.objects.values_list("ts", flat=True)) == [3600, 3 * DAY + 1800]
    assert retention.prune(NOW) == {"raw": 0, "minute": 0, "hour": 0}


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
    [values] = RawChunk.objects.filter(series=cpu).values_list("values", flat=True)
    assert list(unpack(values)) == [3.0]
    eth0 = Series.objects.get(source="agent:agent-one", metric="net.rx_bps", label="eth0")
    [values] = RawChunk.objects.filter(series=eth0, start=NOW).values_list("values", flat=True)
    assert list(unpack(values)) == [pytest.approx(2686662.8, rel=1e-7)]


def test_a_minutes_chunks_are_compacted_into_one_before_it_is_rolled_up(db):
    given = samples(NOW - 120, 120)
    for flush in range(0, 120, 10):  # as an agent writes: a chunk every 10 s
        ingest.store(given[flush : flush + 10])
    assert RawChunk.objects.count() == 12
    rollup.roll_up(NOW + 60)
    chunks = list(RawChunk.objects.order_by("start"))
    assert [c.start for c in chunks] == [NOW - 120, NOW - 60]
    assert [len(unpack(c.values)) for c in chunks] == [60, 60]
    restored = [v for c in chunks for v in unpack(c.values)]
    assert restored == [pytest.approx(v, rel=1e-6) for *_, v in given]
    assert MinuteRollup.objects.filter(count=60).count() == 2
