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
