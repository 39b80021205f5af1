"""Decoding, merging and encoding the blocks of many series at once, for the rollup's hot paths.

A run handles a block or a few per series for up to 288,000 series: per-series numpy
calls cost more than the values. Here the blocks are decoded together
(codec.decode_many), told apart by a group number, merged with one sort, and written
together (codec.encode_many). The results are those of blocks.decode_merged,
blocks.merge_stored_summaries and blocks.encode_values / encode_summaries, to the bit.
"""

from dataclasses import dataclass

import numpy as np

from stats.history import codec
from stats.history.blocks import RAW_TYPES, SUMMARY_TYPES, Summaries, Values, take
from stats.history.buckets import reduce_grouped, reduce_values_grouped

# A part: (group number, block start, data); groups numbered 0, 1, ... in any order.
Part = tuple[int, int, bytes]


def decode(parts: list[Part], summaries: bool) -> tuple[np.ndarray, list[np.ndarray]]:
    """(group of each row, columns with absolute unix seconds first) of `parts`, sorted by group and second;
    where a group has a second or bucket twice, the later-starting block's row only."""
    numbers = np.fromiter((group for group, _, _ in parts), np.int64, len(parts))
    starts = np.fromiter((start for _, start, _ in parts), np.int64, len(parts))
    order = np.lexsort((starts, numbers))  # by group, then start
    columns, counts = codec.decode_many([parts[index][2] for index in order.tolist()],
                                        SUMMARY_TYPES if summaries else RAW_TYPES)  # fmt: skip
    starts = starts[order]
    groups = np.repeat(numbers[order], counts)
    ts = columns[0].astype(np.int64) + np.repeat(starts, counts)
    columns = [ts, *columns[1:-1], columns[-1].astype(np.int64)] if summaries else [ts, columns[1]]
    if not len(ts):
        return groups, columns
    key = groups * (int(ts.max() - ts.min()) + 1) + (ts - ts.min())
    if len(key) > 1 and not (np.diff(key) > 0).all():  # out of order or twice: late data
        order = np.argsort(key, kind="stable")  # blocks in order of start: the later one's row last
        key = key[order]
        last = np.append(key[1:] != key[:-1], True)
        picked = order[last]
        groups, columns = groups[picked], [column[picked] for column in columns]
    return groups, columns


def encode(groups: np.ndarray, columns: list[np.ndarray], starts: np.ndarray) -> list[bytes]:
    """A block per group (0 to len(starts) - 1) of its rows (sorted by group), starting at `starts[group]`."""
    counts = np.bincount(groups, minlength=len(starts))
    offsets = (columns[0] - np.repeat(starts, counts)).astype(np.uint32)
    kinds = SUMMARY_TYPES if len(columns) == len(SUMMARY_TYPES) else RAW_TYPES
    typed = [offsets, *(column.astype(codec.DTYPES[kind]) for column, kind in zip(columns[1:], kinds[1:], strict=True))]
    return codec.encode_many(typed, counts)


def merged(groups: dict[tuple[int, int], list[tuple[int, bytes]]], summaries: bool) -> list[tuple[int, int, bytes]]:
    """Each (series, start) group's blocks as one block starting there: (series, start, data)."""
    keys = list(groups)
    parts = [(number, start, data) for number, key in enumerate(keys) for start, data in groups[key]]
    rows, columns = decode(parts, summaries)
    starts = np.fromiter((at for _, at in keys), np.int64, len(keys))
    return [(series, at, data) for (series, at), data in zip(keys, encode(rows, columns, starts), strict=True)]


@dataclass
class Buckets:
    """Buckets of many series: series ids[g] has the rows where groups == g (rows sorted by group and time)."""

    ids: np.ndarray
    groups: np.ndarray
    summaries: Summaries

    @classmethod
    def of(cls, series: int, summaries: Summaries) -> "Buckets":
        return cls(np.array([series]), np.zeros(len(summaries), np.int64), summaries)

    def __len__(self) -> int:
        return len(self.groups)

    def some(self, first: int, last: int) -> "Buckets":
        """The series [first, last) of ids, numbered from 0."""
        low, high = np.searchsorted(self.groups, [first, last])
        summaries = take(self.summaries, slice(low, high))
        return Buckets(self.ids[first:last], self.groups[low:high] - first, summaries)


def reduced(ids: np.ndarray, groups: np.ndarray, parts: Values | Summaries, first: int, width: int, count: int):
    """`parts` of the series ids[group] into `count` buckets of `width` seconds from `first`, as Buckets."""
    if isinstance(parts, Values):
        bucket_groups, summaries = reduce_values_grouped(parts, groups, first, width, count)
    else:
        bucket_groups, summaries = reduce_grouped(parts, groups, first, width, count)
    return Buckets(ids, bucket_groups, summaries)
