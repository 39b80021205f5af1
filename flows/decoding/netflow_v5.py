"""NetFlow v5: a 24-byte header and up to 30 fixed 48-byte records, decoded in one numpy call."""

import numpy as np

from flows.decoding.records import RECORD, Malformed, Tally, v4_mapped

HEADER = np.dtype(
    [
        ("version", ">u2"),
        ("count", ">u2"),
        ("uptime_ms", ">u4"),
        ("unix_secs", ">u4"),
        ("unix_nsecs", ">u4"),
        ("sequence", ">u4"),
        ("engine_type", "u1"),
        ("engine_id", "u1"),
        ("sampling", ">u2"),  # top 2 bits: mode; lower 14: the interval (0: not sampled)
    ]
)
V5_RECORD = np.dtype(
    [
        ("src", "u1", 4),
        ("dst", "u1", 4),
        ("nexthop", "u1", 4),
        ("in_if", ">u2"),
        ("out_if", ">u2"),
        ("packets", ">u4"),
        ("bytes", ">u4"),
        ("first", ">u4"),
        ("last", ">u4"),
        ("sport", ">u2"),
        ("dport", ">u2"),
        ("pad1", "u1"),
        ("tcp_flags", "u1"),
        ("proto", "u1"),
        ("tos", "u1"),
        ("src_as", ">u2"),
        ("dst_as", ">u2"),
        ("src_mask", "u1"),
        ("dst_mask", "u1"),
        ("pad2", ">u2"),
    ]
)
MAX_RECORDS = 30  # what the format allows in one packet


def decode(packet: bytes, tally: Tally) -> np.ndarray:
    if len(packet) < HEADER.itemsize:
        raise Malformed("shorter than a NetFlow v5 header")
    header = np.frombuffer(packet, HEADER, count=1)[0]
    count = int(header["count"])
    if count > MAX_RECORDS or len(packet) < HEADER.itemsize + count * V5_RECORD.itemsize:
        raise Malformed(f"NetFlow v5 packet announcing {count} records is {len(packet)} bytes")
    rate = int(header["sampling"]) & 0x3FFF or 1
    raw = np.frombuffer(packet, V5_RECORD, count=count, offset=HEADER.itemsize)
    out = np.empty(count, dtype=RECORD)
    out["src"] = v4_mapped(raw["src"])
    out["dst"] = v4_mapped(raw["dst"])
    for name in ("sport", "dport", "proto", "in_if", "out_if"):
        out[name] = raw[name]
    out["bytes"] = raw["bytes"].astype(np.uint64) * rate
    out["packets"] = raw["packets"].astype(np.uint64) * rate
    tally["records"] += count
    return out
