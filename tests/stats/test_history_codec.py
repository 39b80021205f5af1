"""Compressed blocks, as properties over any values: exact round trips, rollups unchanged by storing."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from stats.history import blocks, bulk, codec
from stats.history.buckets import as_summaries, reduce

HOUR = 1_800_000_000  # a whole hour

# Any float32 bit pattern (NaN means "no value in that second"), at any seconds of one hour.
float32s = hnp.arrays(np.float32, st.integers(0, 600), elements=st.floats(width=32, allow_nan=True))


def raw_block(draw_values: np.ndarray, offsets: np.ndarray) -> blocks.Values:
    return blocks.latest_per_second(offsets.astype(np.int64) + HOUR, draw_values)


@st.composite
def raw_blocks(draw) -> blocks.Values:
    values = draw(float32s)
    offsets = draw(hnp.arrays(np.int64, len(values), elements=st.integers(0, 3599)))
    return raw_block(values, offsets)


def same_bits(a: np.ndarray, b: np.ndarray) -> bool:
    return a.dtype == b.dtype and a.tobytes() == b.tobytes()


@settings(max_examples=300, deadline=None, derandomize=True)
@given(raw_blocks())
def test_any_values_round_trip_bit_exactly_with_their_gaps(block):
    restored = blocks.decode_values(HOUR, blocks.encode_values(HOUR, block))
    assert same_bits(restored.ts, block.ts)
    assert same_bits(restored.values, block.values)  # -0.0, infinities, subnormals included
    assert not np.isnan(restored.values).any()  # a NaN was a gap: that second is simply absent


@settings(max_examples=200, deadline=None, derandomize=True)
@given(raw_blocks(), st.sampled_from([1, 7, 60, 600]))
def test_rollups_of_decoded_blocks_equal_rollups_of_the_original_values(block, width):
    finite = blocks.take(block, np.flatnonzero(np.isfinite(block.values)))
    restored = blocks.decode_values(HOUR, blocks.encode_values(HOUR, finite))
    direct = reduce(as_summaries(finite), HOUR, width, 3600 // width)
    stored = reduce(as_summaries(restored), HOUR, width, 3600 // width)
    for mine, theirs in zip(stored.columns(), direct.columns(), strict=True):
        assert same_bits(mine, theirs)
    # And both equal the plain arithmetic of the values, bucket by bucket.
    for ts, low, avg, high, count in zip(*(c.tolist() for c in direct.columns()), strict=True):
        inside = [float(v) for t, v in zip(finite.ts, finite.values, strict=True) if ts <= t < ts + width]
        assert (low, high, count) == (min(inside), max(inside), len(inside))
        assert avg == pytest.approx(sum(inside) / len(inside), rel=1e-9, abs=1e-300)


@settings(max_examples=200, deadline=None, derandomize=True)
@given(st.data())
def test_summaries_round_trip_bit_exactly(data):
    count = data.draw(st.integers(0, 1440))
    offsets = np.unique(data.draw(hnp.arrays(np.int64, count, elements=st.integers(0, 1439)))) * 60
    n = len(offsets)
    summaries = blocks.Summaries(
        offsets + HOUR,
        data.draw(hnp.arrays(np.float32, n, elements=st.floats(width=32))),
        data.draw(hnp.arrays(np.float64, n, elements=st.floats())),
        data.draw(hnp.arrays(np.float32, n, elements=st.floats(width=32))),
        data.draw(hnp.arrays(np.int64, n, elements=st.integers(1, 2**32 - 1))),
    )
    restored = blocks.decode_summaries(HOUR, blocks.encode_summaries(HOUR, summaries))
    for mine, theirs in zip(restored.columns(), summaries.columns(), strict=True):
        assert same_bits(mine, theirs)


def test_bytes_that_are_not_a_block_are_refused():
    with pytest.raises(codec.CorruptBlock):
        codec.decode(b"\x00\x00\x00\x80?", blocks.RAW_TYPES)
    with pytest.raises(codec.CorruptBlock):
        blocks.decode_summaries(HOUR, blocks.encode_points(HOUR, [HOUR], [1.0]))


def test_per_second_decimals_take_under_a_byte_each():
    rng = np.random.default_rng(1)
    cpu = np.round(np.clip(rng.normal(5, 1.5, 3600), 0, 100), 1).astype(np.float32)  # CPU %, one decimal
    block = blocks.Values(np.arange(HOUR, HOUR + 3600, dtype=np.int64), cpu)
    assert len(blocks.encode_values(HOUR, block)) < 3600  # 4 bytes each as plain float32


@settings(max_examples=200, deadline=None, derandomize=True)
@given(st.lists(st.tuples(st.integers(0, 3599), st.floats(width=32, allow_nan=False)), max_size=40))
def test_the_ingests_small_blocks_round_trip_as_float32(points):
    """What the ingest writes straight from Python floats: plain up to 32 values, else pcodec."""
    by_second = dict(points)
    seconds = sorted(by_second)
    values = [by_second[second] for second in seconds]
    restored = blocks.decode_values(HOUR, blocks.encode_points(HOUR, [HOUR + s for s in seconds], values))
    assert restored.ts.tolist() == [HOUR + s for s in seconds]
    assert same_bits(restored.values, np.array(values, np.float32))


@settings(max_examples=200, deadline=None, derandomize=True)
@given(st.floats(allow_nan=False))
def test_a_block_of_one_value_is_the_small_block_of_that_point(value):
    """The ingest's usual write (one value of a series), infinity where a value is beyond float32."""
    assert blocks.encode_point(value) == blocks.encode_points(HOUR, [HOUR], [value])
    restored = blocks.decode_values(HOUR, blocks.encode_point(value))
    assert restored.ts.tolist() == [HOUR]
    assert same_bits(restored.values, np.array([value], np.float32))


@st.composite
def summary_blocks(draw) -> list[blocks.Summaries]:
    """Blocks of 0 to 40 buckets (plain and compressed ones), any bits, in any order."""
    found = []
    for _ in range(draw(st.integers(0, 6))):
        count = draw(st.sampled_from([0, 1, 2, codec.PLAIN_UP_TO, codec.PLAIN_UP_TO + 1, 40]))
        ts = HOUR + np.sort(draw(hnp.arrays(np.int64, count, elements=st.integers(0, 3599), unique=True)))
        low, high = (draw(hnp.arrays(np.float32, count, elements=st.floats(width=32))) for _ in range(2))
        avg = draw(hnp.arrays(np.float64, count, elements=st.floats()))
        counts = draw(hnp.arrays(np.int64, count, elements=st.integers(0, 2**32 - 1)))
        found.append(blocks.Summaries(ts, low, avg, high, counts))
    return found


@settings(max_examples=200, deadline=None, derandomize=True)
@given(summary_blocks())
def test_many_blocks_decoded_and_encoded_together_are_those_of_one_at_a_time(found):
    starts = [HOUR + index for index in range(len(found))]  # each block at its own start
    found = [
        blocks.Summaries(block.ts + start - HOUR, *block.columns()[1:])
        for block, start in zip(found, starts, strict=True)
    ]
    encoded = [blocks.encode_summaries(start, block) for start, block in zip(starts, found, strict=True)]
    columns, counts = codec.decode_many(encoded, blocks.SUMMARY_TYPES)
    one_by_one = [codec.decode(data, blocks.SUMMARY_TYPES) for data in encoded]
    assert counts.tolist() == [len(block) for block in found]
    for index, column in enumerate(columns):
        assert same_bits(column, np.concatenate([np.empty(0, column.dtype), *(c[index] for c in one_by_one)]))
    assert codec.encode_many(columns, counts) == encoded
    # Merged together as readers merge each series' blocks (bulk.decode): the later-starting block's bucket.
    groups, merged = bulk.decode([(0, start, data) for start, data in zip(starts, encoded, strict=True)], True)
    if found:
        expected = blocks.merge_stored_summaries(list(zip(starts, encoded, strict=True)))
        assert all(same_bits(a, b) for a, b in zip(merged, expected.columns(), strict=True))
        assert set(groups.tolist()) <= {0}


def test_a_block_cut_short_or_of_other_columns_is_refused_among_many():
    good = blocks.encode_summaries(HOUR, blocks.Summaries(*(np.array([HOUR]),) * 5))
    with pytest.raises(codec.CorruptBlock):
        codec.decode_many([good, good[:-3]], blocks.SUMMARY_TYPES)
    with pytest.raises(codec.CorruptBlock):
        codec.decode_many([good], blocks.RAW_TYPES)
