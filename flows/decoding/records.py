"""What every decoder returns: flow records as one numpy structured array, and what it dropped.

Addresses are 16 bytes, IPv4 ones mapped into IPv6 (::ffff:a.b.c.d), so records of both
families sort, compare and group together. Byte and packet counts are already scaled by
the sampling rate the exporter announced.
"""

from collections import Counter

import numpy as np

RECORD = np.dtype(
    [
        ("src", "V16"),
        ("dst", "V16"),
        ("sport", "<u2"),
        ("dport", "<u2"),
        ("proto", "u1"),
        ("in_if", "<u4"),
        ("out_if", "<u4"),
        ("bytes", "<u8"),
        ("packets", "<u8"),
    ]
)

V4_MAPPED_PREFIX = bytes(10) + b"\xff\xff"


def empty(count: int = 0) -> np.ndarray:
    return np.zeros(count, dtype=RECORD)


def v4_mapped(addresses: np.ndarray) -> np.ndarray:
    """IPv4 addresses as an (n, 4) uint8 array (network order) -> 16-byte IPv4-mapped voids."""
    out = np.zeros((len(addresses), 16), dtype=np.uint8)
    out[:, 10:12] = 0xFF
    out[:, 12:16] = addresses
    return out.view("V16").reshape(-1)


def v6(addresses: np.ndarray) -> np.ndarray:
    """IPv6 addresses as an (n, 16) uint8 array -> 16-byte voids."""
    return np.ascontiguousarray(addresses, dtype=np.uint8).view("V16").reshape(-1)


class Tally(Counter):
    """What a decoder counted: records decoded, and each reason something was dropped."""

    def dropped(self, reason: str, count: int = 1) -> None:
        self[f"dropped_{reason}"] += count


class Malformed(ValueError):
    """A packet (or a part of it) that does not parse; its decoder counts it and drops it."""
