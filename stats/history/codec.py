"""Compressing history blocks: a few numeric columns of equal length, each with pcodec.

pcodec is made for numeric arrays: it finds that per-second values are decimal
multiples (CPU 12.3 %, whole bytes per second), delta-codes steady timestamps to
almost nothing and entropy-codes the rest. On this product's recorded data it beat
blosc2 (shuffle + zstd) and zstd over XOR-ed values by 3-6 times (`bench/codecs.py`).

Layout: one format byte, one byte with the number of columns, then per column its
length in bytes (uint32, little-endian) and its pcodec stream. Blocks of a few values
(what the ingest writes every second, merged within the minute) are stored plain
instead (format 2: the count, then each column's little-endian values): pcodec's
header would outweigh them, and reading one costs a tenth. Decoding is exact to the
bit; what comes back are numpy arrays of the types that went in.
"""

import struct
from collections.abc import Sequence

import numpy as np
from pcodec import ChunkConfig, standalone

FORMAT = 1
PLAIN = 2
PLAIN_UP_TO = 32  # values per column
CONFIG = ChunkConfig()
# numpy types by short name (an empty pcodec stream gives nothing back to type it by).
DTYPES = {"u4": np.uint32, "f4": np.float32, "f8": np.float64}
_STRUCT = {"u4": "I", "f4": "f", "f8": "d"}
_LITTLE_ENDIAN = {kind: np.dtype(dtype).newbyteorder("<") for kind, dtype in DTYPES.items()}


class CorruptBlock(ValueError):
    """Stored bytes that are not a block of this format."""


def encode(columns: Sequence[np.ndarray]) -> bytes:
    lengths = {len(column) for column in columns}
    if len(lengths) > 1:
        raise ValueError(f"columns of different lengths: {sorted(lengths)}")
    if lengths.pop() <= PLAIN_UP_TO:
        plain = b"".join(column.astype(column.dtype.newbyteorder("<")).tobytes() for column in columns)
        return struct.pack("<BBH", PLAIN, len(columns), len(columns[0])) + plain
    streams = [standalone.simple_compress(np.ascontiguousarray(column), CONFIG) for column in columns]
    header = struct.pack(f"<BB{len(streams)}I", FORMAT, len(streams), *(len(s) for s in streams))
    return header + b"".join(streams)


def encode_plain(columns: Sequence[tuple[str, list]]) -> bytes:
    """A small block straight from Python lists of (type, values): the ingest's hot path, no numpy."""
    count = len(columns[0][1])
    if count > PLAIN_UP_TO:
        raise ValueError(f"{count} values: more than a plain block holds")
    formats = "".join(f"{count}{_STRUCT[kind]}" for kind, _ in columns)
    return struct.pack(f"<BBH{formats}", PLAIN, len(columns), count, *(v for _, values in columns for v in values))


_ONE = struct.Struct("<BBHIf")  # a plain raw block of one value at offset 0


def encode_one(value: float) -> bytes:
    """encode_plain of a raw block holding one value at its start (the ingest writes thousands a second)."""
    return _ONE.pack(PLAIN, 2, 1, 0, value)


def decode(data: bytes | memoryview, types: Sequence[str]) -> list[np.ndarray]:
    """The columns of a block; `types` gives each column's numpy type ("u4", "f4", "f8")."""
    data = bytes(data)  # PostgreSQL hands back a memoryview
    if len(data) < 2 or data[0] not in (FORMAT, PLAIN) or data[1] != len(types):
        raise CorruptBlock(f"not a {len(types)}-column history block")
    if data[0] == PLAIN:
        return _decode_plain(data, types)
    lengths = struct.unpack_from(f"<{len(types)}I", data, 2)
    offset = 2 + 4 * len(types)
    columns = []
    for length, kind in zip(lengths, types, strict=True):
        column = standalone.simple_decompress(data[offset : offset + length])
        columns.append(np.empty(0, DTYPES[kind]) if column is None else column)
        offset += length
    return columns


def _decode_plain(data: bytes, types: Sequence[str]) -> list[np.ndarray]:
    (count,) = struct.unpack_from("<H", data, 2)
    offset, columns = 4, []
    for kind in types:
        dtype = _LITTLE_ENDIAN[kind]
        if offset + count * dtype.itemsize > len(data):
            raise CorruptBlock("a plain history block cut short")
        # A view of the bytes where the machine is little-endian, as nearly all are.
        columns.append(np.frombuffer(data, dtype, count, offset).astype(DTYPES[kind], copy=False))
        offset += count * dtype.itemsize
    return columns


def decode_many(blocks: Sequence[bytes | memoryview], types: Sequence[str]) -> tuple[list[np.ndarray], np.ndarray]:
    """The columns of many blocks, each column concatenated in their order, and each block's length.

    Plain blocks (the ingest's and a minute's rollup: nearly all a run reads) are decoded
    together by numpy indexing into their joined bytes, without a Python step per value
    or per column; the others one by one.
    """
    datas = [bytes(data) for data in blocks]
    sizes = np.fromiter(map(len, datas), np.int64, len(datas))
    joined = np.frombuffer(b"".join(datas), np.uint8)
    offsets = np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(np.int64)
    plain = sizes >= 4
    plain[plain] = joined[offsets[plain]] == PLAIN
    counts = np.zeros(len(datas), np.int64)
    if plain.any():
        head = offsets[plain]
        if (joined[head + 1] != len(types)).any():
            raise CorruptBlock(f"not a {len(types)}-column history block")
        counts[plain] = joined[head + 2].astype(np.int64) | joined[head + 3].astype(np.int64) << 8
        widths = [np.dtype(DTYPES[kind]).itemsize for kind in types]
        if (sizes[plain] < 4 + counts[plain] * sum(widths)).any():
            raise CorruptBlock("a plain history block cut short")
    others = {index: decode(datas[index], types) for index in np.flatnonzero(~plain).tolist()}
    for index, columns in others.items():
        counts[index] = len(columns[0])
    return _gather(joined, offsets, counts, plain, others, types), counts


def _gather(joined, offsets, counts, plain, others, types) -> list[np.ndarray]:
    """Each column of every block in order: plain ones read from `joined`, the others as decoded."""
    total = int(counts.sum())
    firsts = np.cumsum(counts) - counts
    block = np.repeat(np.arange(len(counts)), counts)
    within = np.arange(total) - np.repeat(firsts, counts)
    from_plain = plain[block]
    columns, before = [], 0
    for position, kind in enumerate(types):
        width = np.dtype(DTYPES[kind]).itemsize
        column = np.empty(total, DTYPES[kind])
        where = (offsets[block] + 4 + counts[block] * before + within * width)[from_plain]
        raw = joined[where[:, None] + np.arange(width)]
        column[from_plain] = raw.view(_LITTLE_ENDIAN[kind]).reshape(-1)
        if others:  # in block order, as their rows are
            column[~from_plain] = np.concatenate([decoded[position] for decoded in others.values()])
        columns.append(column)
        before += width
    return columns


def encode_many(columns: Sequence[np.ndarray], counts: np.ndarray) -> list[bytes]:
    """Blocks of consecutive runs of `columns`, `counts` rows each: what `encode` gives for each run.

    Runs of up to PLAIN_UP_TO rows (a minute's buckets of each series) are written plain
    together by numpy; the others compressed one by one.
    """
    counts = np.asarray(counts, np.int64)
    firsts = np.cumsum(counts) - counts
    small = counts <= PLAIN_UP_TO
    widths = [column.dtype.itemsize for column in columns]
    sizes = np.where(small, 4 + counts * sum(widths), 0)
    starts = np.cumsum(sizes) - sizes
    out = np.zeros(int(sizes.sum()), np.uint8)
    out[starts[small]] = PLAIN
    out[starts[small] + 1] = len(columns)
    out[starts[small] + 2] = counts[small] & 0xFF
    out[starts[small] + 3] = counts[small] >> 8
    rows = np.repeat(np.flatnonzero(small), counts[small])
    within = np.arange(len(rows)) - np.repeat(np.cumsum(counts[small]) - counts[small], counts[small])
    picked = (np.repeat(firsts[small], counts[small]) + within) if len(rows) else rows
    before = 0
    for column, width in zip(columns, widths, strict=True):
        where = starts[rows] + 4 + counts[rows] * before + within * width
        values = np.ascontiguousarray(column[picked].astype(column.dtype.newbyteorder("<")))
        out[where[:, None] + np.arange(width)] = values.view(np.uint8).reshape(-1, width)
        before += width
    data = out.tobytes()
    return [
        data[start : start + size] if is_small else encode([column[first : first + count] for column in columns])
        for start, size, is_small, first, count in zip(
            starts.tolist(), sizes.tolist(), small.tolist(), firsts.tolist(), counts.tolist(), strict=True
        )
    ]
