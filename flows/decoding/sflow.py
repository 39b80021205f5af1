"""sFlow v5 datagrams: flow samples (raw packet headers, scaled by the sampling rate) and counter samples.

Samples and records of other formats (enterprise ones included) are skipped by their
length. A flow sample with a sampling rate of 0 is counted and dropped.
"""

import struct
from dataclasses import dataclass

import numpy as np

from flows.decoding import packet_headers
from flows.decoding.records import RECORD, Malformed, Tally, empty

FLOW_SAMPLE, COUNTER_SAMPLE, FLOW_SAMPLE_EXPANDED, COUNTER_SAMPLE_EXPANDED = 1, 2, 3, 4
RAW_HEADER, GENERIC_INTERFACE = 1, 1
MAX_SAMPLES = 4096  # far more than a datagram of 64 KiB can hold
INTERNAL = 0x3FFFFFFF
GENERIC_COUNTERS = struct.Struct(">IIQIIQIIIIIIQIIIIII")


@dataclass(frozen=True)
class InterfaceCounters:
    """A counter sample's generic interface record: an exporter's own count of a port's traffic."""

    exporter: str
    if_index: int
    speed_bps: int
    in_octets: int
    out_octets: int
    in_packets: int
    out_packets: int


class Datagram:
    def __init__(self, packet: bytes) -> None:
        self.packet, self.offset = packet, 0

    def u32(self) -> int:
        return self.take(4, ">I")[0]

    def take(self, size: int, layout: str) -> tuple:
        if self.offset + size > len(self.packet):
            raise Malformed("an sFlow datagram cut short")
        values = struct.unpack_from(layout, self.packet, self.offset)
        self.offset += size
        return values

    def chunk(self, length: int) -> bytes:
        if length > len(self.packet) - self.offset:
            raise Malformed("an sFlow structure longer than its datagram")
        body = self.packet[self.offset : self.offset + length]
        self.offset += length
        return body


def decode(packet: bytes, exporter: str, tally: Tally, counters: list[InterfaceCounters]) -> np.ndarray:
    reader = Datagram(packet)
    if reader.u32() != 5:
        raise Malformed("not sFlow version 5")
    address_type = reader.u32()
    if address_type not in (1, 2):
        raise Malformed(f"agent address type {address_type}")
    reader.chunk(4 if address_type == 1 else 16)
    _sub_agent, _sequence, _uptime, samples = reader.take(16, ">IIII")
    if samples > MAX_SAMPLES:
        raise Malformed(f"{samples} samples")
    rows: list[tuple] = []
    for _ in range(samples):
        sample_format, length = reader.take(8, ">II")
        body = Datagram(reader.chunk(length))
        if sample_format in (FLOW_SAMPLE, FLOW_SAMPLE_EXPANDED):
            rows += _flow_sample(body, sample_format == FLOW_SAMPLE_EXPANDED, tally)
        elif sample_format in (COUNTER_SAMPLE, COUNTER_SAMPLE_EXPANDED):
            counters += _counter_sample(body, sample_format == COUNTER_SAMPLE_EXPANDED, exporter)
        else:
            tally.dropped("unknown_sample")
    tally["records"] += len(rows)
    return np.array(rows, dtype=RECORD) if rows else empty()


def _flow_sample(body: Datagram, expanded: bool, tally: Tally) -> list[tuple]:
    if expanded:
        _seq, _type, _index, rate, _pool, _drops, _in_fmt, in_if, _out_fmt, out_if, records = body.take(
            44, ">" + "I" * 11
        )
    else:
        _seq, _source, rate, _pool, _drops, in_if, out_if, records = body.take(32, ">" + "I" * 8)
        in_if, out_if = port_index(in_if), port_index(out_if)
    if rate == 0:
        tally.dropped("sampling_rate_zero")
        return []
    rows = []
    for _ in range(min(records, MAX_SAMPLES)):
        record_format, length = body.take(8, ">II")
        record = Datagram(body.chunk(length))
        if record_format != RAW_HEADER:
            continue
        protocol, frame_length, _stripped, header_length = record.take(16, ">IIII")
        flow = packet_headers.decode(protocol, record.chunk(min(header_length, len(record.packet) - 16)))
        if flow is None:
            tally.dropped("not_ip")
            continue
        src, dst, proto, sport, dport, ip_length = flow
        rows.append((src, dst, sport, dport, proto, in_if, out_if, (ip_length or frame_length) * rate, rate))
    return rows


def port_index(value: int) -> int:
    """An interface field of a compact flow sample: its top 2 bits are a format (discarded, several
    ports), and 0x3FFFFFFF means the agent itself or no port known. 0 stands for "not known"."""
    if value >> 30:
        return 0
    return 0 if value == INTERNAL else value


def _counter_sample(body: Datagram, expanded: bool, exporter: str) -> list[InterfaceCounters]:
    if expanded:
        body.take(12, ">III")
    else:
        body.take(8, ">II")
    out = []
    for _ in range(min(body.u32(), MAX_SAMPLES)):
        record_format, length = body.take(8, ">II")
        record = body.chunk(length)
        if record_format == GENERIC_INTERFACE and length >= GENERIC_COUNTERS.size:
            v = GENERIC_COUNTERS.unpack_from(record)
            out.append(
                InterfaceCounters(
                    exporter, port_index(v[0]), v[2], v[5], v[12], v[6] + v[7] + v[8], v[13] + v[14] + v[15]
                )
            )
    return out
