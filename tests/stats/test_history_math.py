"""The arithmetic of history as pure functions: summaries, rollups, tier and bucket choice, chunks."""

import math
import random

import pytest

from stats.history.buckets import Tier, bucket_start, downsample, merge, plan, rollup, summarize
from stats.history.chunks import pack, split, unpack

NAN = float("nan")
DAY = 86_400
TIERS = [Tier("raw", 1, 7 * DAY), Tier("minute", 60, 90 * DAY), Tier("hour", 3600, 730 * DAY)]
NOW = 1_800_000_000


def test_summarize_skips_missing_seconds():
    assert summarize([3.0, NAN, 1.0, 8.0]) == (1.0, 4.0, 8.0, 3)
    assert summarize([NAN, NAN]) is None
    assert summarize([]) is None


def test_merge_weighs_each_average_by_its_count():
    # 10 values averaging 1 and 30 averaging 5: the whole averages 4, not 3.
    assert merge([(0.0, 1.0, 2.0, 10), (4.0, 5.0, 6.0, 30)]) == (0.0, 4.0, 6.0, 40)
    assert merge([]) is None


def test_a_rollup_of_rollups_equals_the_rollup_of_the_values():
    rng = random.Random(7)
    values = [(ts, rng.uniform(-50, 150)) for ts in range(0, 3 * 3600, 1) if rng.random() > 0.2]
    per_second = [(1, ts, (v, v, v, 1)) for ts, v in values]
    minutes = rollup(per_second, 60)
    hours_from_minutes = rollup(((s, ts, summary) for (s, ts), summary in minutes.items()), 3600)
    hours_direct = rollup(per_second, 3600)
    assert hours_from_minutes.keys() == hours_direct.keys() == {(1, 0), (1, 3600), (1, 7200)}
    for key, (low, avg, high, count) in hours_direct.items():
        m_low, m_avg, m_high, m_count = hours_from_minutes[key]
        assert (m_low, m_high, m_count) == (low, high, count)
        assert m_avg == pytest.approx(avg, rel=1e-12)
        in_hour = [v for ts, v in values if key[1] <= ts < key[1] + 3600]
        assert avg == pytest.approx(sum(in_hour) / len(in_hour), rel=1e-12)


def test_rollup_keeps_series_apart_and_aligns_buckets():
    rows = [(1, 59, (1.0, 1.0, 1.0, 1)), (1, 60, (2.0, 2.0, 2.0, 1)), (2, 61, (5.0, 5.0, 5.0, 1))]
    assert rollup(rows, 60) == {
        (1, 0): (1.0, 1.0, 1.0, 1),
        (1, 60): (2.0, 2.0, 2.0, 1),
        (2, 60): (5.0, 5.0, 5.0, 1),
    }
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


def test_downsample_merges_rows_into_buckets_and_marks_gaps():
    rows = [(100, (1.0, 1.0, 1.0, 1)), (105, (3.0, 3.0, 3.0, 1)), (130, (7.0, 7.0, 7.0, 1)), (99, (9.0, 9.0, 9.0, 1))]
    assert downsample(rows, 100, 10, 4) == [(1.0, 2.0, 3.0, 2), None, None, (7.0, 7.0, 7.0, 1)]


def test_chunks_never_cross_a_minute_and_keep_every_second():
    points = [(t + 0.4, float(t)) for t in range(50, 130) if t != 70]
    chunks = dict(split(points))
    assert sorted(chunks) == [50, 60, 120]  # [50, 60), [60, 120), [120, 130)
    assert len(chunks[50]) == 10
    assert len(chunks[60]) == 60
    assert len(chunks[120]) == 10
    assert math.isnan(chunks[60][10])  # second 70 had no value
    restored = {start + i: v for start, values in chunks.items() for i, v in enumerate(unpack(pack(values))) if v == v}
    assert restored == {t: float(t) for t in range(50, 130) if t != 70}


def test_of_two_values_in_one_second_the_later_is_kept():
    assert dict(split([(10.1, 1.0), (10.9, 2.0)])) == {10: [2.0]}


def test_packed_values_are_float32():
    assert len(pack([1.0, NAN, 3.5])) == 12
    assert next(iter(unpack(pack([0.1])))) == pytest.approx(0.1, rel=1e-7)
