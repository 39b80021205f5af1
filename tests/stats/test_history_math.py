"""The arithmetic of history as pure functions: bucketing in bulk, rollups, tier and bucket choice, blocks."""

import random

import numpy as np
import pytest

from core.contracts.metrics import frame_values
from netmon_agent.sampler import Sampler
from stats.history.blocks import Summaries, Values, merge_summaries, split, split_points
from stats.history.buckets import Tier, as_summaries, bucket_start, plan, reduce, reduce_grouped, reduce_values_grouped
from stats.history.metrics import KEPT, frame_points

NAN = float("nan")
DAY = 86_400
TIERS = [Tier("raw", 1, 7 * DAY), Tier("minute", 60, 90 * DAY), Tier("hour", 3600, 730 * DAY)]
NOW = 1_800_000_000


def values(pairs) -> Values:
    return Values(np.array([t for t, _ in pairs], np.int64), np.array([v for _, v in pairs], np.float32))


def rows(summaries: Summaries) -> list[tuple]:
    return list(zip(*(column.tolist() for column in summaries.columns()), strict=True))


def test_reduce_summarises_each_bucket_and_leaves_empty_ones_out():
    found = reduce(as_summaries(values([(100, 3.0), (101, 1.0), (105, 8.0), (130, 7.0), (99, 9.0)])), 100, 10, 4)
    # Second 99 lies before the first bucket; buckets 110 and 120 have nothing.
    assert rows(found) == [(100, 1.0, 4.0, 8.0, 3), (130, 7.0, 7.0, 7.0, 1)]


def test_reduce_weighs_each_average_by_its_count():
    # 10 values averaging 1 and 30 averaging 5: the whole averages 4, not 3.
    parts = Summaries(*(np.array(c) for c in ([0, 60], [0.0, 4.0], [1.0, 5.0], [2.0, 6.0], [10, 30])))
    assert rows(reduce(parts, 0, 3600, 1)) == [(0, 0.0, 4.0, 6.0, 40)]


def test_reduce_sorts_values_that_arrived_out_of_order():
    found = reduce(as_summaries(values([(125, 1.0), (61, 2.0), (119, 4.0), (0, 5.0)])), 0, 60, 3)
    assert rows(found) == [(0, 5.0, 5.0, 5.0, 1), (60, 2.0, 3.0, 4.0, 2), (120, 1.0, 1.0, 1.0, 1)]


def test_many_series_bucketed_at_once_equal_each_bucketed_alone():
    rng = np.random.default_rng(4)
    series = [values([(int(t), v) for t, v in zip(rng.choice(600, 300), rng.normal(50, 20, 300), strict=True)])
              for _ in range(5)]  # fmt: skip
    groups = np.concatenate([np.full(len(s), row) for row, s in enumerate(series)])
    joined = Values(np.concatenate([s.ts for s in series]), np.concatenate([s.values for s in series]))
    from_values = reduce_values_grouped(joined, groups, 0, 60, 10)
    from_summaries = reduce_grouped(as_summaries(joined), groups, 0, 60, 10)
    for rows, buckets in (from_values, from_summaries):
        for row, alone in enumerate(reduce(as_summaries(s), 0, 60, 10) for s in series):
            mine = buckets.ts[rows == row], buckets.min[rows == row], buckets.max[rows == row]
            assert [c.tolist() for c in mine] == [alone.ts.tolist(), alone.min.tolist(), alone.max.tolist()]
            assert buckets.avg[rows == row] == pytest.approx(alone.avg, rel=1e-12)
            assert buckets.count[rows == row].tolist() == alone.count.tolist()


def test_a_rollup_of_rollups_equals_the_rollup_of_the_values():
    rng = random.Random(7)
    given = [(ts, rng.uniform(-50, 150)) for ts in range(0, 3 * 3600) if rng.random() > 0.2]
    per_second = as_summaries(values(given))
    minutes = reduce(per_second, 0, 60, 180)
    hours_from_minutes, hours_direct = reduce(minutes, 0, 3600, 3), reduce(per_second, 0, 3600, 3)
    assert hours_from_minutes.ts.tolist() == hours_direct.ts.tolist() == [0, 3600, 7200]
    for column in ("min", "max", "count"):
        assert getattr(hours_from_minutes, column).tolist() == getattr(hours_direct, column).tolist()
    assert hours_from_minutes.avg == pytest.approx(hours_direct.avg, rel=1e-12)
    stored = values(given).values.astype(np.float64)  # the float32 values as kept
    for hour, avg in zip(hours_direct.ts.tolist(), hours_direct.avg.tolist(), strict=True):
        in_hour = [v for (ts, _), v in zip(given, stored, strict=True) if hour <= ts < hour + 3600]
        assert avg == pytest.approx(sum(in_hour) / len(in_hour), rel=1e-12)
    assert bucket_start(119.9, 60) == 60


@pytest.mark.parametrize(
    ("span", "points", "tier", "width"),
    [
        (600, 1000, "raw", 1),  # 10 minutes: every second fits
        (3600, 1000, "raw", 4),  # 1 h: 3.6 s per point, rounded up to whole seconds
        (6 * 3600, 1000, "raw", 22),
        (DAY, 1000, "minute", 120),  # 24 h: 86.5 s per point; whole minutes
        (7 * DAY, 1000, "minute", 660),
        (30 * DAY, 1000, "minute", 2640),
        (30 * DAY, 300, "hour", 3 * 3600),  # 8,700 s per point: hours are fine enough
        (DAY, 2, "hour", DAY),
    ],
)
def test_the_best_tier_is_the_coarsest_that_still_fits_a_bucket(span, points, tier, width):
    chosen = plan(NOW - span, NOW, points, NOW, TIERS)
    assert TIERS[chosen.tier].name == tier
    assert chosen.width == width
    assert chosen.count <= points


def test_a_range_older_than_a_tiers_retention_is_served_by_a_coarser_tier():
    # An hour from 10 days ago: raw is kept 7 days, so minutes serve it.
    chosen = plan(NOW - 10 * DAY, NOW - 10 * DAY + 3600, 1000, NOW, TIERS)
    assert TIERS[chosen.tier].name == "minute"
    assert chosen.width == 60
    # 100 days ago: only hours are left.
    chosen = plan(NOW - 100 * DAY, NOW - 100 * DAY + 3600, 1000, NOW, TIERS)
    assert (TIERS[chosen.tier].name, chosen.width, chosen.count) == ("hour", 3600, 1)


def test_no_plan_ever_exceeds_the_requested_points():
    rng = random.Random(3)
    for _ in range(5000):
        start = NOW - rng.uniform(1, 800 * DAY)
        end = start + rng.uniform(1, 60 * DAY)
        points = rng.randint(2, 5000)
        chosen = plan(start, end, points, NOW, TIERS)
        assert 1 <= chosen.count <= points
        assert chosen.width % TIERS[chosen.tier].resolution == 0
        assert chosen.first <= start < chosen.first + chosen.width
        assert chosen.first + chosen.count * chosen.width >= end


def test_plan_refuses_an_empty_range():
    with pytest.raises(ValueError, match="start < end"):
        plan(NOW, NOW, 100, NOW, TIERS)
    with pytest.raises(ValueError, match="start < end"):
        plan(NOW - 10, NOW, 1, NOW, TIERS)


def test_blocks_as_written_never_cross_their_minute_and_keep_every_second():
    given = [(t + 0.4, float(t)) for t in range(3550, 7300) if t != 3700]
    pieces = list(split_points(given))
    assert [seconds[0] for seconds, _ in pieces] == [3550, *range(3600, 7300, 60)]
    assert pieces[0][0] == list(range(3550, 3600))
    assert pieces[2][0] == [t for t in range(3660, 3720) if t != 3700]
    assert all(seconds[-1] - seconds[-1] % 60 == seconds[0] - seconds[0] % 60 for seconds, _ in pieces)
    assert sum(len(seconds) for seconds, _ in pieces) == len(given)
    assert pieces[-1][1] == [float(t) for t in range(7260, 7300)]
    # Buckets too: a day's minutes never cross into the next day's block.
    minutes = Summaries(*(np.array(c) for c in ([86_340, 86_400], [1.0] * 2, [1.0] * 2, [1.0] * 2, [60] * 2)))
    assert [start for start, _ in split(minutes, "minute")] == [0, 86_400]


def test_of_two_values_in_one_second_the_later_is_kept_and_nan_is_a_gap():
    assert list(split_points([(10.1, 1.0), (10.9, 2.0), (11.0, NAN), (12.5, 3.0)])) == [([10, 12], [2.0, 3.0])]


def test_merged_summaries_replace_buckets_redone_and_stay_in_order():
    old = Summaries(*(np.array(c) for c in ([0, 60, 120], [1.0] * 3, [1.0] * 3, [1.0] * 3, [60] * 3)))
    new = Summaries(*(np.array(c) for c in ([60, 180], [9.0] * 2, [9.0] * 2, [9.0] * 2, [1] * 2)))
    assert rows(merge_summaries(old, new)) == [
        (0, 1.0, 1.0, 1.0, 60), (60, 9.0, 9.0, 9.0, 1), (120, 1.0, 1.0, 1.0, 60), (180, 9.0, 9.0, 9.0, 1),
    ]  # fmt: skip


def test_of_two_minute_blocks_holding_a_bucket_the_later_starting_one_counts():
    from stats.history import blocks as history_blocks

    def block(start: int, minutes: list[int], value: float) -> tuple[int, bytes]:
        ts = np.array([start + 60 * m for m in minutes], np.int64)
        ones = np.ones(len(ts))
        found = history_blocks.Summaries(ts, (ones * value).astype(np.float32), ones * value,
                                         (ones * value).astype(np.float32), ones.astype(np.int64))  # fmt: skip
        return start, history_blocks.encode_summaries(start, found)

    hour = 1_800_000_000
    merged = history_blocks.merge_stored_summaries([block(hour + 120, [0, 1], 2.0), block(hour, [0, 1, 2, 3], 1.0)])
    assert merged.ts.tolist() == [hour + 60 * m for m in range(4)]
    assert merged.avg.tolist() == [1.0, 1.0, 2.0, 2.0]  # rolled up again later: the newer buckets


@pytest.mark.parametrize(
    "frame",
    [
        {"type": "stats", "ts": 1.0},
        {"cpu": {"percent": True, "user": None, "system": "x", "iowait": 2}, "mem": [1], "load": {"1m": 0.5}},
        {"net": {"eth0": {"up": True, "rx_bps": 1, "tx_bps": None}, "lo": {"up": False, "rx_bps": 9}, "x": 3}},
        {"net": {"eth0": {"rx_errors_ps": False}}, "disk": {"mounts": {"/": {"percent": 5, "up": False}}}},
        {"disk": {"mounts": [1]}, "tcp": {"established": 4.5, "states": {"listen": 1}}},
    ],
)
def test_a_frames_points_are_its_kept_metrics_values(frame):
    assert sorted(frame_points(frame)) == points_metric_by_metric(frame)


def test_the_agents_own_frames_give_the_same_points():
    sampler = Sampler("edge-1")
    for frame in (sampler.sample(), sampler.sample()):
        assert sorted(frame_points(frame)) == points_metric_by_metric(frame)


def points_metric_by_metric(frame: dict) -> list:
    """What frame_points reads group by group, as frame_values gives it metric by metric."""
    return sorted(
        (metric.name, label, float(value))
        for metric in KEPT
        for label, value in frame_values(frame, metric, skip_down=True)
        if value is not None
    )
