"""Top talkers of a batch of flow records, in bulk: per interface and direction, top N of each dimension plus "other".

Pure numpy, no framework. Each table is one sort of integer key columns (the interface
first), sums per group with `np.add.reduceat`, then the top N of each interface: no
Python object per record. The parts of each dimension sum to the whole: whatever is not
in the top N is one "other" row (key ""), so a page can draw the whole of a port's traffic.
"""

import ipaddress
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from flows.services import port_name, protocol_name

SOURCES, DESTINATIONS, PAIRS, PROTOCOLS, PORTS = "src", "dst", "pair", "proto", "port"
DIMENSIONS = (SOURCES, DESTINATIONS, PAIRS, PROTOCOLS, PORTS)
IN, OUT = "in", "out"
OTHER = ""


@dataclass(frozen=True)
class Row:
    if_index: int
    direction: str
    dimension: str
    key: str  # "" for the other row
    bytes: int
    packets: int
    flows: int


def address_text(raw: bytes) -> str:
    address = ipaddress.IPv6Address(bytes(raw))
    return str(address.ipv4_mapped or address)


def halves(addresses: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """16-byte addresses as two native uint64 columns (high, low), which sort fast."""
    words = np.ascontiguousarray(addresses).view(">u8").reshape(-1, 2)
    return words[:, 0].astype(np.uint64), words[:, 1].astype(np.uint64)


def service_port(sport, dport):
    """The service's port of a flow: the lower of its two, most often; the one given when the other is 0."""
    both = np.minimum(sport, dport)
    return np.where(sport == 0, dport, np.where(dport == 0, sport, both))


def groups_of(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """np.unique's (values, first index, inverse), through its hash table: unsorted, a tenth of the time."""
    unique, inverse = np.unique(keys, return_inverse=True, sorted=False)
    first = np.empty(len(unique), dtype=np.intp)
    first[inverse[::-1]] = np.arange(len(keys) - 1, -1, -1)  # the last write wins: each key's first record
    return unique, first, inverse


def dense_ids(*columns: np.ndarray) -> tuple[np.ndarray, int, np.ndarray]:
    """Each record's key (one or more uint64 columns) as a small integer, the number of keys,
    and the index of a record holding each key (for its text)."""
    ids, count, first = np.zeros(len(columns[0]), dtype=np.uint64), 1, None
    for column in columns:
        if len(np.unique(column[:64])) == 1 and (column == column[0]).all():
            continue  # one value (the high half of IPv4-mapped addresses): adds nothing
        combined = ids * np.uint64(count) + column if count > 1 else column
        unique, first, inverse = groups_of(combined)
        ids, count = inverse.astype(np.uint64), len(unique)
    if first is None:
        first = np.zeros(1, dtype=np.intp)
    return ids, count, first


def services(records: np.ndarray) -> np.ndarray:
    service = service_port(records["sport"], records["dport"]).astype(np.uint64)
    return (records["proto"].astype(np.uint64) << np.uint64(16)) | service


def top_rows(records: np.ndarray, n: int) -> Iterator[Row]:
    """Every (interface, direction, dimension) of `records` as at most n + 1 rows."""
    if not len(records):
        return
    sizes = records["bytes"].astype(np.float64)  # exact below 2**53 bytes a key a minute
    packets = records["packets"].astype(np.float64)
    src, dst = dense_ids(*halves(records["src"])), dense_ids(*halves(records["dst"]))
    keys = {
        SOURCES: src,
        DESTINATIONS: dst,
        PAIRS: dense_ids(src[0], dst[0]),
        PROTOCOLS: dense_ids(records["proto"].astype(np.uint64)),
        PORTS: dense_ids(services(records)),
    }
    for direction, column in ((IN, "in_if"), (OUT, "out_if")):
        interfaces = records[column].astype(np.uint64)
        # No egress port known (e.g. sFlow ingress-only sampling): counted once, as "in".
        wanted = interfaces != 0 if direction == OUT else slice(None)
        if direction == OUT and not wanted.any():
            continue
        for dimension, (ids, _count, _first) in keys.items():
            combined = (interfaces[wanted] << np.uint64(40)) | ids[wanted]
            example = np.flatnonzero(wanted) if direction == OUT else None
            yield from _table(combined, sizes[wanted], packets[wanted], n, direction, dimension, records, example)


def _table(combined, sizes, packets, n, direction, dimension, records, example) -> Iterator[Row]:
    groups, first, inverse = groups_of(combined)
    group_bytes = np.bincount(inverse, weights=sizes, minlength=len(groups))
    group_packets = np.bincount(inverse, weights=packets, minlength=len(groups))
    group_flows = np.bincount(inverse, minlength=len(groups))
    group_if = groups >> np.uint64(40)
    text = _texts[dimension]
    for if_index in np.unique(group_if):
        mine = np.flatnonzero(group_if == if_index)
        # The top n without sorting every group: a partition, then only the n sorted.
        top = mine[np.argpartition(-group_bytes[mine], n - 1)[:n]] if len(mine) > n else mine
        top = top[np.argsort(-group_bytes[top], kind="stable")]
        for g in top:
            record = records[first[g] if example is None else example[first[g]]]
            sums = int(group_bytes[g]), int(group_packets[g]), int(group_flows[g])
            yield Row(int(if_index), direction, dimension, text(record), *sums)
        if len(mine) > n:
            columns = (group_bytes, group_packets, group_flows)
            totals = [int(column[mine].sum()) - int(column[top].sum()) for column in columns]
            yield Row(int(if_index), direction, dimension, OTHER, *totals)


_texts = {
    SOURCES: lambda r: address_text(r["src"]),
    DESTINATIONS: lambda r: address_text(r["dst"]),
    PAIRS: lambda r: f"{address_text(r['src'])} > {address_text(r['dst'])}",
    PROTOCOLS: lambda r: protocol_name(int(r["proto"])),
    PORTS: lambda r: port_name(int(r["proto"]), int(service_port(r["sport"], r["dport"]))),
}
