"""Flow export packets built byte by byte from their specifications, for the decoder tests and the benchmark."""

import ipaddress
import struct

# The elements of the standard template used here: (element, length).
FLOW_FIELDS = [(8, 4), (12, 4), (7, 2), (11, 2), (4, 1), (10, 4), (14, 4), (1, 8), (2, 8)]
FLOW6_FIELDS = [(27, 16), (28, 16), (7, 2), (11, 2), (4, 1), (10, 2), (14, 2), (1, 4), (2, 4)]


def v4(address: str) -> bytes:
    return ipaddress.IPv4Address(address).packed


def v5(flows: list[dict], sampling: int = 0, count: int | None = None) -> bytes:
    header = struct.pack(
        ">HHIIIIBBH", 5, len(flows) if count is None else count, 1000, 1700000000, 0, 1, 0, 0, sampling
    )
    body = b"".join(
        struct.pack(
            ">4s4s4sHHIIIIHHBBBBHHBBH",
            v4(f["src"]), v4(f["dst"]), bytes(4), f.get("in_if", 1), f.get("out_if", 2), f["packets"], f["bytes"],
            0, 0, f.get("sport", 0), f.get("dport", 0), 0, 0, f.get("proto", 6), 0, 0, 0, 0, 0, 0,
        )
        for f in flows
    )  # fmt: skip
    return header + body


def flow_values(f: dict) -> list:
    return [v4(f["src"]), v4(f["dst"]), f.get("sport", 0), f.get("dport", 0), f.get("proto", 6),
            f.get("in_if", 1), f.get("out_if", 2), f["bytes"], f["packets"]]  # fmt: skip


def encode(fields: list[tuple[int, int]], values: list) -> bytes:
    out = b""
    for (_, length), value in zip(fields, values, strict=True):
        out += value.ljust(length, b"\0")[:length] if isinstance(value, bytes) else value.to_bytes(length, "big")
    return out


def flowset(set_id: int, body: bytes) -> bytes:
    padding = (-len(body)) % 4
    return struct.pack(">HH", set_id, 4 + len(body) + padding) + body + bytes(padding)


def template_body(template_id: int, fields: list[tuple[int, int]]) -> bytes:
    return struct.pack(">HH", template_id, len(fields)) + b"".join(struct.pack(">HH", *f) for f in fields)


def v9(sets: list[bytes], source_id: int = 0) -> bytes:
    return struct.pack(">HHIIII", 9, len(sets), 1000, 1700000000, 1, source_id) + b"".join(sets)


def v9_options_template(template_id: int, scope: list[tuple[int, int]], options: list[tuple[int, int]]) -> bytes:
    body = struct.pack(">HHH", template_id, 4 * len(scope), 4 * len(options))
    return flowset(1, body + b"".join(struct.pack(">HH", *f) for f in scope + options))


def ipfix(sets: list[bytes], domain: int = 0) -> bytes:
    body = b"".join(sets)
    return struct.pack(">HHIII", 10, 16 + len(body), 1700000000, 1, domain) + body


def ipfix_template(template_id: int, fields: list[tuple[int, int] | tuple[int, int, int]]) -> bytes:
    out = struct.pack(">HH", template_id, len(fields))
    for element, length, *enterprise in fields:
        out += struct.pack(">HH", element | (0x8000 if enterprise else 0), length)
        out += struct.pack(">I", enterprise[0]) if enterprise else b""
    return flowset(2, out)


def ipfix_options_template(template_id: int, scope: list[tuple[int, int]], options: list[tuple[int, int]]) -> bytes:
    fields = scope + options
    body = struct.pack(">HHH", template_id, len(fields), len(scope))
    return flowset(3, body + b"".join(struct.pack(">HH", *f) for f in fields))


def variable(value: bytes) -> bytes:
    return (bytes([len(value)]) if len(value) < 255 else b"\xff" + struct.pack(">H", len(value))) + value


# --- sFlow v5 ------------------------------------------------------------------------------


def ethernet_ipv4(
    src: str, dst: str, proto: int, sport: int, dport: int, vlan: int | None = None, ip_length: int = 40
) -> bytes:
    """The first bytes of a frame (an sFlow header record): its IP header says the packet is `ip_length` bytes."""
    tag = struct.pack(">HH", 0x8100, vlan) if vlan is not None else b""
    ip = struct.pack(">BBHHHBBH4s4s", 0x45, 0, ip_length, 0, 0, 64, proto, 0, v4(src), v4(dst))
    transport = struct.pack(">HH", sport, dport) + bytes(16) if proto in (6, 17) else bytes([8, 0]) + bytes(6)
    return bytes(6) + bytes(6) + tag + struct.pack(">H", 0x0800) + ip + transport


def ethernet_ipv6(src: str, dst: str, proto: int, sport: int, dport: int) -> bytes:
    ip = struct.pack(
        ">IHBB16s16s", 6 << 28, 20, proto, 64, ipaddress.IPv6Address(src).packed, ipaddress.IPv6Address(dst).packed
    )
    return bytes(12) + struct.pack(">H", 0x86DD) + ip + struct.pack(">HH", sport, dport) + bytes(16)


def _xdr(format_: int, body: bytes) -> bytes:
    padding = (-len(body)) % 4
    return struct.pack(">II", format_, len(body) + padding) + body + bytes(padding)


def sflow_flow_sample(header: bytes, frame_length: int, rate: int, in_if: int = 1, out_if: int = 2) -> bytes:
    raw = struct.pack(">IIII", 1, frame_length, 4, len(header)) + header + bytes((-len(header)) % 4)
    record = _xdr(1, raw)
    body = struct.pack(">IIIIIIII", 1, in_if, rate, 1000, 0, in_if, out_if, 1) + record
    return _xdr(1, body)


def sflow_counter_sample(if_index: int, in_octets: int, out_octets: int) -> bytes:
    generic = struct.pack(
        ">IIQIIQIIIIIIQIIIIII", if_index, 6, 10**9, 1, 3, in_octets, 10, 0, 0, 0, 0, 0, out_octets, 20, 0, 0, 0, 0, 0
    )
    return _xdr(2, struct.pack(">III", 1, if_index, 1) + _xdr(1, generic))


def sflow(samples: list[bytes], agent: str = "198.18.0.1") -> bytes:
    return struct.pack(">II4sIIII", 5, 1, v4(agent), 0, 1, 1000, len(samples)) + b"".join(samples)
