"""What a history block holds, and the span of time it may cover in each tier.

A raw block holds the seconds of one series that have a value, within one hour:
(seconds since the block's start, float32 value). A rollup block holds buckets of
one series within a day (minute tier) or 30 days (hour tier): (seconds since the
block's start, min, avg, max, count). min and max are float32 like the values they
come from, so they are exact; avg is float64.

In memory both are numpy arrays with absolute unix seconds as int64.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from itertools import pairwise

import numpy as np

from stats.history import codec

DAY = 86_400
SPANS = {"raw": 3600, "minute": DAY, "hour": 30 * DAY}
# A raw block as written holds the values of one minute at most, so one starting before a
# minute holds none of it (the minute rollup reads only the blocks starting in its minutes).
# Blocks merged later start at their hour and hold only minutes already rolled up.
RAW_PIECE = 60
RAW_TYPES = ("u4", "f4")
SUMMARY_TYPES = ("u4", "f4", "f8", "f4", "u4")


@dataclass
class Values:
    ts: np.ndarray  # int64 unix seconds, ascending, unique
    values: np.ndarray  # float32

    def __len__(self) -> int:
        return len(self.ts)


@dataclass
class Summaries:
    ts: np.ndarray  # int64 unix seconds of each bucket's start, ascending, unique
    min: np.ndarray  # float32
    avg: np.ndarray  # float64
    max: np.ndarray  # float32
    count: np.ndarray  # int64

    def __len__(self) -> int:
        return len(self.ts)

    def columns(self) -> tuple[np.ndarray, ...]:
        return self.ts, self.min, self.avg, self.max, self.count


def span_start(ts: int, tier: str) -> int:
    return ts - ts % SPANS[tier]


def encode_values(start: int, block: Values) -> bytes:
    return codec.encode([(block.ts - start).astype(np.uint32), block.values.astype(np.float32)])


def decode_values(start: int, data: bytes) -> Values:
    offsets, values = codec.decode(data, RAW_TYPES)
    return Values(offsets.astype(np.int64) + start, values)


def encode_summaries(start: int, block: Summaries) -> bytes:
    return codec.encode(
        [
            (block.ts - start).astype(np.uint32),
            block.min.astype(np.float32),
            block.avg.astype(np.float64),
            block.max.astype(np.float32),
            block.count.astype(np.uint32),
        ]
    )


def decode_summaries(start: int, data: bytes) -> Summaries:
    offsets, low, avg, high, count = codec.decode(data, SUMMARY_TYPES)
    return Summaries(offsets.astype(np.int64) + start, low, avg, high, count.astype(np.int64))


def encode_points(start: int, seconds: list[int], values: list[float]) -> bytes:
    """A raw block from sorted, unique seconds and their values (the ingest's few values a write)."""
    if len(seconds) <= codec.PLAIN_UP_TO:
        try:
            return codec.encode_plain([("u4", [s - start for s in seconds]), ("f4", values)])
        except OverflowError:  # beyond float32: numpy makes it infinity, as for a long block
            pass
    return encode_values(start, Values(np.array(seconds, np.int64), np.array(values, np.float32)))


def encode_point(value: float) -> bytes:
    """A raw block of one value at its start: encode_points of one point, without the lists."""
    try:
        return codec.encode_one(value)
    except OverflowError:  # beyond float32: infinity, as for a long block
        return encode_points(0, [0], [value])


def split_points(points: list[tuple[float, float]], width: int = RAW_PIECE) -> Iterator[tuple[list[int], list[float]]]:
    """(ts, value) points -> (seconds, values) per `width` seconds (a raw block's minute), sorted; the
    later of two values in one second wins; NaN ("no value") is left out. Plain Python: writes hold a
    few values each."""
    by_second = {}
    for ts, value in points:
        by_second[int(ts)] = value
    spans: dict[int, list[int]] = {}
    for second in sorted(by_second):
        if by_second[second] == by_second[second]:
            spans.setdefault(second - second % width, []).append(second)
    for seconds in spans.values():
        yield seconds, [by_second[second] for second in seconds]


def latest_per_second(ts: np.ndarray, values: np.ndarray) -> Values:
    """Sorted by second, one value each: where a second repeats, the value given last wins."""
    # np.unique keeps the first occurrence: look from the end to keep the last.
    unique, last = np.unique(ts[::-1], return_index=True)
    values = values[::-1][last]
    present = ~np.isnan(values)  # NaN means "no value": it is a gap, not a value
    return Values(unique[present], values[present])


def split(block, tier: str) -> Iterator[tuple[int, object]]:
    """Cut a Values or Summaries into pieces that each lie within one span of `tier`."""
    if not len(block):
        return
    spans = block.ts - block.ts % SPANS[tier]
    cuts = np.flatnonzero(np.diff(spans)) + 1
    for indexes in np.split(np.arange(len(block)), cuts):
        yield int(spans[indexes[0]]), take(block, indexes)


def take(block, indexes: np.ndarray):
    if isinstance(block, Values):
        return Values(block.ts[indexes], block.values[indexes])
    return Summaries(*(column[indexes] for column in block.columns()))


def merge_values(parts: list[Values]) -> Values:
    """One Values from several; where they share a second, the later part's value wins."""
    parts = [part for part in parts if len(part)]
    if len(parts) <= 1:
        return parts[0] if parts else Values(np.empty(0, np.int64), np.empty(0, np.float32))
    ts, values = np.concatenate([p.ts for p in parts]), np.concatenate([p.values for p in parts])
    if all(a.ts[-1] < b.ts[0] for a, b in pairwise(parts)):
        return Values(ts, values)  # one after another, as an hour's blocks nearly always are
    return latest_per_second(ts, values)


def decode_merged(stored: list[tuple[int, bytes]]) -> Values:
    """One series' raw blocks, (start, data), as one Values; where two hold a second, the later-starting wins."""
    return merge_values([decode_values(start, data) for start, data in sorted(stored, key=lambda block: block[0])])


def merge_summaries(old: Summaries, new: Summaries) -> Summaries:
    """`old` with the buckets of `new` added or replacing those at the same time."""
    if not len(old):
        return new
    keep = ~np.isin(old.ts, new.ts)
    joined = [np.concatenate([a[keep], b]) for a, b in zip(old.columns(), new.columns(), strict=True)]
    order = np.argsort(joined[0], kind="stable")
    return Summaries(*(column[order] for column in joined))


def concatenate(parts: list[Summaries]) -> Summaries:
    if len(parts) == 1:
        return parts[0]
    return Summaries(*(np.concatenate(columns) for columns in zip(*(p.columns() for p in parts), strict=True)))


def merge_stored_summaries(stored: list[tuple[int, bytes]]) -> Summaries:
    """One series' rollup blocks, (start, data), as one Summaries; where two hold a bucket, the
    later-starting block's counts (a minute rolled up again is written as a block of its own)."""
    parts = [decode_summaries(start, data) for start, data in sorted(stored, key=lambda block: block[0])]
    parts = [part for part in parts if len(part)] or parts[:1]
    if all(a.ts[-1] < b.ts[0] for a, b in pairwise(parts)):
        return concatenate(parts)  # one after another, as they nearly always are: one copy, not one per block
    merged = parts[0]
    for part in parts[1:]:
        if len(merged) and len(part) and merged.ts[-1] < part.ts[0]:
            merged = concatenate([merged, part])  # one after another, as they nearly always are
        else:
            merged = merge_summaries(merged, part) if len(part) else merged
    return merged
