"""Simulated SNMPv2c devices for the device benchmark: thousands of 48-port switches on one
UDP port of loopback, told apart by community ("dev-<n>").

Each answers GET, GETNEXT and GETBULK over the objects NetWorkMonitor reads (system group,
IF-MIB ifTable and ifXTable, ENTITY-MIB model) with counters that move at a steady,
per-port rate. Messages are encoded and decoded with a few lines of BER here rather than
with pysnmp, so that the farm costs a small share of the CPU the poller is measured on.
"""

import asyncio
import bisect
import time

PORTS = 48
IF_TABLE, IF_X_TABLE = (1, 3, 6, 1, 2, 1, 2, 2, 1), (1, 3, 6, 1, 2, 1, 31, 1, 1, 1)
INTEGER, OCTETS, NULL, OID, SEQUENCE = 0x02, 0x04, 0x05, 0x06, 0x30
COUNTER32, GAUGE32, TIMETICKS, COUNTER64 = 0x41, 0x42, 0x43, 0x46
NO_SUCH_OBJECT, END_OF_MIB_VIEW = 0x80, 0x82
GET, GETNEXT, RESPONSE, GETBULK = 0xA0, 0xA1, 0xA2, 0xA5
STARTED = time.time() - 86_400  # every device has been up a day


def _length(n: int) -> bytes:
    if n < 0x80:
        return bytes([n])
    raw = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(raw)]) + raw


def tlv(tag: int, value: bytes) -> bytes:
    return bytes([tag]) + _length(len(value)) + value


def unsigned(tag: int, n: int) -> bytes:
    return tlv(tag, n.to_bytes(n.bit_length() // 8 + 1, "big"))  # a leading 0 keeps it positive


def integer(n: int) -> bytes:
    return tlv(INTEGER, n.to_bytes((n + (n < 0)).bit_length() // 8 + 1, "big", signed=True))


def encode_oid(oid: tuple[int, ...]) -> bytes:
    out = bytearray([40 * oid[0] + oid[1]])
    for arc in oid[2:]:
        chunk = [arc & 0x7F]
        arc >>= 7
        while arc:
            chunk.append(0x80 | (arc & 0x7F))
            arc >>= 7
        out += bytes(reversed(chunk))
    return tlv(OID, bytes(out))


def decode_oid(raw: bytes) -> tuple[int, ...]:
    arcs, value = [raw[0] // 40, raw[0] % 40], 0
    for byte in raw[1:]:
        value = (value << 7) | (byte & 0x7F)
        if not byte & 0x80:
            arcs.append(value)
            value = 0
    return tuple(arcs)


def read(data: bytes, at: int) -> tuple[int, bytes, int]:
    """(tag, value, next position) of the TLV at `at`."""
    tag, length, at = data[at], data[at + 1], at + 2
    if length & 0x80:
        count = length & 0x7F
        length, at = int.from_bytes(data[at : at + count], "big"), at + count
    return tag, data[at : at + length], at + length


def _objects() -> list[tuple[tuple[int, ...], str, int]]:
    """Every object a device has, in OID order: (oid, what, port)."""
    objects = [((1, 3, 6, 1, 2, 1, 1, n, 0), name, 0) for n, name in ((1, "descr"), (2, "object_id"),
                                                                      (3, "uptime"), (5, "name"))]  # fmt: skip
    if_columns = {2: "descr", 3: "type", 5: "speed", 7: "admin", 8: "oper", 13: "discards", 14: "errors",
                  19: "discards", 20: "errors"}  # fmt: skip
    x_columns = {1: "name", 6: "in_octets", 7: "ucast", 8: "mcast", 9: "bcast", 10: "out_octets", 11: "ucast",
                 12: "mcast", 13: "bcast", 15: "high_speed", 18: "alias"}  # fmt: skip
    for table, columns in ((IF_TABLE, if_columns), (IF_X_TABLE, x_columns)):
        objects += [
            ((*table, column, port), what, port) for column, what in columns.items() for port in range(1, PORTS + 1)
        ]
    objects.append(((1, 3, 6, 1, 2, 1, 47, 1, 1, 1, 1, 13, 1), "model", 0))
    return sorted(objects)


OBJECTS = _objects()
OIDS = [oid for oid, _, _ in OBJECTS]
ENCODED = [encode_oid(oid) for oid in OIDS]


def value(device: int, what: str, port: int, now: float) -> bytes:
    """The object's value now; traffic grows by a steady per-port rate (1-50 Mbit/s)."""
    up = now - STARTED
    bytes_per_s = 125_000 * (1 + (device * 7 + port * 13) % 50)
    if what == "in_octets":
        return unsigned(COUNTER64, int(up * bytes_per_s))
    if what == "out_octets":
        return unsigned(COUNTER64, int(up * bytes_per_s * 0.6))
    if what in ("ucast", "mcast", "bcast"):
        return unsigned(COUNTER64, int(up * bytes_per_s / {"ucast": 800, "mcast": 40_000, "bcast": 90_000}[what]))
    if what in ("errors", "discards"):
        return unsigned(COUNTER32, int(up / (600 if port % 11 == 0 else 86_400)))
    if what == "uptime":
        return unsigned(TIMETICKS, int(up * 100) % 2**32)
    if what in ("admin", "oper"):
        return integer(2 if what == "oper" and port % 12 == 0 else 1)
    return {
        "descr": lambda: tlv(OCTETS, f"GigabitEthernet0/{port}".encode() if port else b"Simulated 48-port switch"),
        "name": lambda: tlv(OCTETS, f"Gi0/{port}".encode() if port else f"sim-{device}".encode()),
        "alias": lambda: tlv(OCTETS, f"uplink {device}-{port}".encode() if port % 24 == 0 else b""),
        "type": lambda: integer(6),
        "speed": lambda: unsigned(GAUGE32, 1_000_000_000),
        "high_speed": lambda: unsigned(GAUGE32, 1000),
        "object_id": lambda: encode_oid((1, 3, 6, 1, 4, 1, 9, 1, 516)),
        "model": lambda: tlv(OCTETS, b"SIM-48"),
    }[what]()


def _after(oid: tuple[int, ...]) -> int:
    return bisect.bisect_right(OIDS, oid)


class Farm(asyncio.DatagramProtocol):
    def __init__(self, devices: int) -> None:
        self.devices = devices
        self.requests = 0

    def connection_made(self, transport) -> None:
        self.transport = transport

    def datagram_received(self, data: bytes, address) -> None:
        reply = self.answer(data)
        if reply is not None:
            self.transport.sendto(reply, address)

    def answer(self, data: bytes) -> bytes | None:
        _, message, _ = read(data, 0)
        _, version, at = read(message, 0)
        _, community, at = read(message, at)
        if not community.startswith(b"dev-") or not 0 <= int(community[4:] or -1) < self.devices:
            return None  # a wrong community gets no answer, as from a real agent
        device = int(community[4:])
        kind, pdu, _ = read(message, at)
        _, request_id, at = read(pdu, 0)
        _, first, at = read(pdu, at)
        _, second, at = read(pdu, at)
        _, varbinds, _ = read(pdu, at)
        asked, at = [], 0
        while at < len(varbinds):
            _, varbind, at = read(varbinds, at)
            asked.append(decode_oid(read(varbind, 0)[1]))
        self.requests += 1
        now = time.time()
        out = []
        if kind == GETBULK:
            non_repeaters, repetitions = int.from_bytes(first, "big"), int.from_bytes(second, "big")
            out += [self._next(device, oid, now) for oid in asked[:non_repeaters]]
            cursors = [_after(oid) for oid in asked[non_repeaters:]]
            for _ in range(min(repetitions, 50)):
                for k, position in enumerate(cursors):
                    out.append(self._at(device, position, now))
                    cursors[k] = position + 1
        elif kind == GETNEXT:
            out = [self._next(device, oid, now) for oid in asked]
        elif kind == GET:
            out = [self._exact(device, oid, now) for oid in asked]
        else:
            return None
        body = integer(int.from_bytes(request_id, "big", signed=True)) + integer(0) + integer(0)
        pdu_out = tlv(RESPONSE, body + tlv(SEQUENCE, b"".join(out)))
        return tlv(SEQUENCE, tlv(INTEGER, version) + tlv(OCTETS, community) + pdu_out)

    def _at(self, device: int, position: int, now: float) -> bytes:
        if position >= len(OBJECTS):
            return tlv(SEQUENCE, ENCODED[-1] + tlv(END_OF_MIB_VIEW, b""))
        _, what, port = OBJECTS[position]
        return tlv(SEQUENCE, ENCODED[position] + value(device, what, port, now))

    def _next(self, device: int, oid: tuple[int, ...], now: float) -> bytes:
        return self._at(device, _after(oid), now)

    def _exact(self, device: int, oid: tuple[int, ...], now: float) -> bytes:
        position = bisect.bisect_left(OIDS, oid)
        if position < len(OIDS) and OIDS[position] == oid:
            return self._at(device, position, now)
        return tlv(SEQUENCE, encode_oid(oid) + tlv(NO_SUCH_OBJECT, b""))


def serve(port: int, devices: int, ready, stop) -> None:
    """Run the farm on 127.0.0.1:`port` until `stop` (a multiprocessing Event) is set."""

    async def main() -> None:
        loop = asyncio.get_running_loop()
        transport, _ = await loop.create_datagram_endpoint(lambda: Farm(devices), local_addr=("127.0.0.1", port))
        ready.set()
        while not stop.is_set():
            await asyncio.sleep(0.2)
        transport.close()

    asyncio.run(main())
