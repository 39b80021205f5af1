"""Top talkers of a batch of flow records, in bulk: per interface and direction, top N of each dimension plus "other".

Pure numpy, no framework. The parts of each dimension sum to the whole: whatever is not
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


def top_rows(records: np.ndarray, n: int) -> Iterator[Row]:
    """Every (interface, direction, dimension) of `records` as at most n + 1 rows."""
    for direction, column in ((IN, "in_if"), (OUT, "out_if")):
        interfaces = records[column]
        for if_index in np.unique(interfaces):
            if direction == OUT and if_index == 0:
                continue  # no egress port known (e.g. sFlow ingress-only sampling): counted once, as "in"
            part = records[interfaces == if_index]
            for dimension in DIMENSIONS:
                yield from _top(part, n, int(if_index), direction, dimension)


def _top(part: np.ndarray, n: int, if_index: int, direction: str, dimension: str) -> Iterator[Row]:
    keys, texts = _keys(part, dimension)
    unique, first, inverse = np.unique(keys, return_index=True, return_inverse=True)
    sizes = np.bincount(inverse, weights=part["bytes"].astype(np.float64), minlength=len(unique))
    packets = np.bincount(inverse, weights=part["packets"].astype(np.float64), minlength=len(unique))
    flows = np.bincount(inverse, minlength=len(unique))
    order = np.argsort(-sizes, kind="stable")
    top, rest = order[:n], order[n:]
    for i in top:
        yield Row(if_index, direction, dimension, texts(part[first[i]]), int(sizes[i]), int(packets[i]), int(flows[i]))
    if len(rest):
        totals = int(sizes[rest].sum()), int(packets[rest].sum()), int(flows[rest].sum())
        yield Row(if_index, direction, dimension, OTHER, *totals)


def _keys(part: np.ndarray, dimension: str):
    if dimension == SOURCES:
        return part["src"], lambda r: address_text(r["src"])
    if dimension == DESTINATIONS:
        return part["dst"], lambda r: address_text(r["dst"])
    if dimension == PAIRS:
        pairs = np.empty((len(part), 32), dtype=np.uint8)
        pairs[:, :16] = np.ascontiguousarray(part["src"]).view(np.uint8).reshape(-1, 16)
        pairs[:, 16:] = np.ascontiguousarray(part["dst"]).view(np.uint8).reshape(-1, 16)
        return pairs.view("V32").reshape(-1), lambda r: f"{address_text(r['src'])} > {address_text(r['dst'])}"
    if dimension == PROTOCOLS:
        return part["proto"], lambda r: protocol_name(int(r["proto"]))
    service = service_port(part["sport"], part["dport"])
    keys = part["proto"].astype(np.uint32) << 16 | service
    return keys, lambda r: port_name(int(r["proto"]), int(service_port(r["sport"], r["dport"])))


def service_port(sport, dport):
    """The service's port of a flow: the lower of its two, most often; the one given when the other is 0."""
    both = np.minimum(sport, dport)
    return np.where(sport == 0, dport, np.where(dport == 0, sport, both))
