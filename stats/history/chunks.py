"""Packing per-second values into raw chunks: float32, little-endian, NaN for a missing second."""

import sys
from array import array
from collections.abc import Iterable, Iterator

CHUNK_SECONDS = 60  # a chunk stays within one minute
NAN = float("nan")


def split(points: Iterable[tuple[float, float]]) -> Iterator[tuple[int, list[float]]]:
    """(ts, value) points of one series -> (start, values) chunks, one per minute touched.

    Timestamps are truncated to whole seconds; of two values in one second the later wins.
    """
    minutes: dict[int, dict[int, float]] = {}
    for ts, value in points:
        second = int(ts)
        minutes.setdefault(second - second % CHUNK_SECONDS, {})[second] = value
    for seconds in minutes.values():
        start = min(seconds)
        values = [NAN] * (max(seconds) - start + 1)
        for second, value in seconds.items():
            values[second - start] = value
        yield start, values


def pack(values: list[float]) -> bytes:
    packed = array("f", values)
    if sys.byteorder == "big":
        packed.byteswap()
    return packed.tobytes()


def unpack(data: bytes) -> array:
    values = array("f")
    values.frombytes(bytes(data))  # PostgreSQL hands back a memoryview
    if sys.byteorder == "big":
        values.byteswap()
    return values
