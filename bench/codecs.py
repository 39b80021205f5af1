"""Which compression suits history blocks: bytes per value and speed on recorded data.

    python bench/codecs.py            # reads bench/data/recording.jsonl.gz

Every kept series of the recording, cut into blocks of an hour (raw: the seconds
that have a value, with their offsets) and of a day of minute buckets (min, avg,
max, count, from the raw values). Each candidate encodes every block; the decoded
block must equal the original bit for bit. Candidates: plain float32, zstd over the
bytes, blosc2 (byte shuffle + zstd, and bit shuffle + zstd), zstd over values XOR-ed
with their predecessor (Gorilla's idea), and pcodec.
"""

import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "NetWorkMonitor.settings")

import blosc2
import django
import numpy as np
import zstandard
from pcodec import ChunkConfig, standalone

django.setup()

from bench import recording  # noqa: E402
from bench.common import run_facts, save_results  # noqa: E402

ZSTD_LEVEL = 3


def _xor_previous(column: np.ndarray) -> np.ndarray:
    bits = column.view(np.uint32 if column.itemsize == 4 else np.uint64)
    return np.concatenate([bits[:1], bits[1:] ^ bits[:-1]])


def _xor_restore(xored: np.ndarray, dtype) -> np.ndarray:
    return np.bitwise_xor.accumulate(xored).view(dtype)


def _blosc(filter_):
    params = {"codec": blosc2.Codec.ZSTD, "clevel": 5, "filters": [filter_]}
    return (
        lambda column: blosc2.compress2(column.tobytes(), typesize=column.itemsize, **params),
        lambda data, like: np.frombuffer(blosc2.decompress2(data), like.dtype),
    )


CANDIDATES = {
    "float32/64 as they are": (lambda c: c.tobytes(), lambda d, like: np.frombuffer(d, like.dtype)),
    "zstd": (
        lambda c: zstandard.ZstdCompressor(level=ZSTD_LEVEL).compress(c.tobytes()),
        lambda d, like: np.frombuffer(zstandard.ZstdDecompressor().decompress(d), like.dtype),
    ),
    "blosc2 shuffle + zstd": _blosc(blosc2.Filter.SHUFFLE),
    "blosc2 bitshuffle + zstd": _blosc(blosc2.Filter.BITSHUFFLE),
    "zstd over XOR with previous": (
        lambda c: zstandard.ZstdCompressor(level=ZSTD_LEVEL).compress(_xor_previous(c).tobytes()),
        lambda d, like: _xor_restore(
            np.frombuffer(zstandard.ZstdDecompressor().decompress(d), np.uint32 if like.itemsize == 4 else np.uint64),
            like.dtype,
        ),
    ),
    "pcodec": (
        lambda c: standalone.simple_compress(c, ChunkConfig()),
        lambda d, like: standalone.simple_decompress(d),
    ),
}


def raw_blocks(found: recording.Recording) -> list[list[np.ndarray]]:
    """Per series and hour: (offsets uint32, values float32) of the seconds with a value."""
    blocks = []
    for values in [*found.agent.values(), *found.check.values()]:
        for start in range(0, found.seconds, 3600):
            hour = values[start : start + 3600]
            present = np.flatnonzero(~np.isnan(hour))
            blocks.append([present.astype(np.uint32), hour[present]])
    return blocks


def minute_blocks(found: recording.Recording) -> list[list[np.ndarray]]:
    """Per series: a day of minutes (offsets, min, avg, max, count), the recording replayed over the day."""
    blocks = []
    for values in [*found.agent.values(), *found.check.values()]:
        day = recording.rotated(values, 0, 86_400).reshape(1440, 60)
        present = (~np.isnan(day)).sum(axis=1)
        kept = present > 0
        with np.errstate(all="ignore"):
            columns = [
                (np.arange(1440) * 60).astype(np.uint32),
                np.nanmin(day, axis=1).astype(np.float32),
                np.nanmean(day.astype(np.float64), axis=1),
                np.nanmax(day, axis=1).astype(np.float32),
                present.astype(np.uint32),
            ]
        blocks.append([column[kept] for column in columns])
    return blocks


def measure(blocks: list[list[np.ndarray]], encode, decode) -> dict:
    began = time.perf_counter()
    encoded = [[encode(np.ascontiguousarray(column)) for column in block] for block in blocks]
    encode_s = time.perf_counter() - began
    began = time.perf_counter()
    decoded = [
        [decode(data, like) for data, like in zip(parts, block, strict=True)]
        for parts, block in zip(encoded, blocks, strict=True)
    ]
    decode_s = time.perf_counter() - began
    for parts, block in zip(decoded, blocks, strict=True):
        for mine, original in zip(parts, block, strict=True):
            assert np.asarray(mine).tobytes() == original.tobytes(), "not bit-exact"
    points = sum(len(block[0]) for block in blocks)
    size = sum(len(data) for parts in encoded for data in parts)
    return {
        "bytes_per_point": round(size / points, 3),
        "encode_ns_per_point": round(encode_s / points * 1e9, 1),
        "decode_ns_per_point": round(decode_s / points * 1e9, 1),
    }


def main() -> None:
    found = recording.load(Path(sys.argv[1]) if len(sys.argv) > 1 else recording.DEFAULT)
    raw, minutes = raw_blocks(found), minute_blocks(found)
    print(f"{found.seconds} s recorded; {len(found.agent) + len(found.check)} series")
    results = {}
    for name, (encode, decode) in CANDIDATES.items():
        results[name] = {"raw": measure(raw, encode, decode), "minute": measure(minutes, encode, decode)}
        print(f"  {name}: {results[name]}", flush=True)
    save_results("codecs", {**run_facts(), "seconds_recorded": found.seconds, "results": results})


if __name__ == "__main__":
    main()
