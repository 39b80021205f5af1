"""Packets for the flow benchmark: NetFlow v5 and IPFIX of a busy network, made once, replayed to any collector."""

import random
import struct

from tests.flows import packets as p

V5_PER_PACKET = 30
IPFIX_TEMPLATE_ID = 300
IPFIX_PER_PACKET = 1400 // sum(length for _, length in p.FLOW_FIELDS)  # 37 records of 37 bytes


def flows(count: int, seed: int = 1) -> list[dict]:
    """`count` flows between 5,000 sources and 2,000 destinations, on 8 ports of the exporter."""
    rng = random.Random(seed)
    services = [(6, 443), (6, 80), (17, 53), (6, 22), (17, 123), (6, 8080), (17, 4789)]
    out = []
    for _ in range(count):
        proto, port = rng.choice(services)
        out.append({
            "src": f"198.18.{rng.randrange(20)}.{rng.randrange(250)}",
            "dst": f"198.19.{rng.randrange(8)}.{rng.randrange(250)}",
            "sport": rng.randrange(1024, 65535), "dport": port, "proto": proto, "in_if": rng.randrange(1, 9),
            "out_if": rng.randrange(1, 9), "bytes": rng.randrange(64, 1_500_000), "packets": rng.randrange(1, 1000),
        })  # fmt: skip
    return out


def v5_packets(records: int) -> list[bytes]:
    batch = flows(records)
    return [p.v5(batch[i : i + V5_PER_PACKET]) for i in range(0, len(batch), V5_PER_PACKET)]


def ipfix_packets(records: int) -> list[bytes]:
    """A template first (and again every 1,000 packets, as exporters refresh it), then full data sets."""
    batch, out = flows(records), []
    template = p.ipfix_template(IPFIX_TEMPLATE_ID, p.FLOW_FIELDS)
    for n, i in enumerate(range(0, len(batch), IPFIX_PER_PACKET)):
        body = b"".join(p.encode(p.FLOW_FIELDS, p.flow_values(f)) for f in batch[i : i + IPFIX_PER_PACKET])
        sets = [template] if n % 1000 == 0 else []
        out.append(p.ipfix([*sets, p.flowset(IPFIX_TEMPLATE_ID, body)]))
    return out


def records_in(packet: bytes) -> int:
    if packet[:2] == b"\x00\x05":
        return struct.unpack_from(">H", packet, 2)[0]
    offset, total = 16, 0
    while offset + 4 <= len(packet):
        set_id, length = struct.unpack_from(">HH", packet, offset)
        if set_id == IPFIX_TEMPLATE_ID:
            total += (length - 4) // sum(length for _, length in p.FLOW_FIELDS)
        offset += length
    return total
