"""Simulated SNMPv2c devices for the discovery benchmark: each on an address of its own on
loopback (127.77.x.y), linked in a tree by LLDP so that a crawl from the first finds them all.

Device n answers the system group (sysName "sim-<n>"), its LLDP chassis id, and LLDP-MIB's
remote table with the management address of each neighbour (its parent and two children);
every other object ends the walk. Messages are coded with bench/snmp_farm.py's few lines of BER.
"""

import asyncio
import bisect

from bench.snmp_farm import (
    END_OF_MIB_VIEW,
    GET,
    GETBULK,
    GETNEXT,
    INTEGER,
    NO_SUCH_OBJECT,
    OCTETS,
    RESPONSE,
    SEQUENCE,
    TIMETICKS,
    decode_oid,
    encode_oid,
    integer,
    read,
    tlv,
    unsigned,
)  # fmt: skip

COMMUNITY = b"bench-discovery"
LLDP_LOCAL_CHASSIS = (1, 0, 8802, 1, 1, 2, 1, 3, 2, 0)
LLDP_REMOTE = (1, 0, 8802, 1, 1, 2, 1, 4, 1, 1)  # .5 chassis, .7 port, .9 name
LLDP_MANAGEMENT = (1, 0, 8802, 1, 1, 2, 1, 4, 2, 1, 3)  # lldpRemManAddrIfSubtype


def address(n: int) -> str:
    return f"127.77.{n // 250}.{n % 250 + 1}"


def neighbours(n: int, devices: int) -> list[int]:
    return [m for m in ((n - 1) // 2 if n else -1, 2 * n + 1, 2 * n + 2) if 0 <= m < devices]


def objects(n: int, devices: int) -> list[tuple[tuple[int, ...], bytes]]:
    """Device n's objects in OID order, values encoded."""
    found = [
        ((1, 3, 6, 1, 2, 1, 1, 1, 0), tlv(OCTETS, b"Simulated switch")),
        ((1, 3, 6, 1, 2, 1, 1, 2, 0), encode_oid((1, 3, 6, 1, 4, 1, 9, 1, 516))),
        ((1, 3, 6, 1, 2, 1, 1, 3, 0), unsigned(TIMETICKS, 8_640_000)),
        ((1, 3, 6, 1, 2, 1, 1, 5, 0), tlv(OCTETS, f"sim-{n}".encode())),
        (LLDP_LOCAL_CHASSIS, tlv(OCTETS, b"\x02\x00" + n.to_bytes(4, "big"))),
    ]
    for port, m in enumerate(neighbours(n, devices), start=1):
        index = (0, port, 1)
        found += [((*LLDP_REMOTE, 5, *index), tlv(OCTETS, b"\x02\x00" + m.to_bytes(4, "big"))),
                  ((*LLDP_REMOTE, 7, *index), tlv(OCTETS, f"port{port}".encode())),
                  ((*LLDP_REMOTE, 9, *index), tlv(OCTETS, f"sim-{m}".encode())),
                  ((*LLDP_MANAGEMENT, *index, 1, 4, *map(int, address(m).split("."))), integer(2))]  # fmt: skip
    return sorted(found)


class Device(asyncio.DatagramProtocol):
    def __init__(self, n: int, devices: int) -> None:
        self.objects = objects(n, devices)
        self.oids = [oid for oid, _ in self.objects]

    def connection_made(self, transport) -> None:
        self.transport = transport

    def datagram_received(self, data: bytes, sender) -> None:
        try:
            reply = self.answer(data)
        except (IndexError, ValueError):
            return  # not an SNMP message this farm reads
        if reply is not None:
            self.transport.sendto(reply, sender)

    def answer(self, data: bytes) -> bytes | None:
        _, message, _ = read(data, 0)
        _, version, at = read(message, 0)
        _, community, at = read(message, at)
        if community != COMMUNITY:
            return None
        kind, pdu, _ = read(message, at)
        _, request_id, at = read(pdu, 0)
        _, first, at = read(pdu, at)
        _, second, at = read(pdu, at)
        _, varbinds, _ = read(pdu, at)
        asked, at = [], 0
        while at < len(varbinds):
            _, varbind, at = read(varbinds, at)
            asked.append(decode_oid(read(varbind, 0)[1]))
        if kind == GET:
            out = [self._exact(oid) for oid in asked]
        elif kind == GETNEXT:
            out = [self._at(bisect.bisect_right(self.oids, oid), oid) for oid in asked]
        elif kind == GETBULK:
            non_repeaters, repetitions = int.from_bytes(first, "big"), int.from_bytes(second, "big")
            out = [self._at(bisect.bisect_right(self.oids, oid), oid) for oid in asked[:non_repeaters]]
            cursors = [bisect.bisect_right(self.oids, oid) for oid in asked[non_repeaters:]]
            for _ in range(min(repetitions, 50)):
                out += [self._at(position, asked[-1]) for position in cursors]
                cursors = [c + 1 for c in cursors]
        else:
            return None
        body = integer(int.from_bytes(request_id, "big", signed=True)) + integer(0) + integer(0)
        pdu_out = tlv(RESPONSE, body + tlv(SEQUENCE, b"".join(out)))
        return tlv(SEQUENCE, tlv(INTEGER, version) + tlv(OCTETS, community) + pdu_out)

    def _at(self, position: int, asked: tuple[int, ...]) -> bytes:
        if position >= len(self.objects):
            return tlv(SEQUENCE, encode_oid(asked) + tlv(END_OF_MIB_VIEW, b""))
        oid, value = self.objects[position]
        return tlv(SEQUENCE, encode_oid(oid) + value)

    def _exact(self, oid: tuple[int, ...]) -> bytes:
        position = bisect.bisect_left(self.oids, oid)
        if position < len(self.oids) and self.oids[position] == oid:
            return self._at(position, oid)
        return tlv(SEQUENCE, encode_oid(oid) + tlv(NO_SUCH_OBJECT, b""))


def serve(port: int, devices: int, ready, stop) -> None:
    """Every device on its own address, `port`, until `stop` (a multiprocessing Event) is set."""

    async def main() -> None:
        loop = asyncio.get_running_loop()
        for n in range(devices):
            await loop.create_datagram_endpoint(lambda n=n: Device(n, devices), local_addr=(address(n), port))
        ready.set()
        while not stop.is_set():
            await asyncio.sleep(0.2)

    asyncio.run(main())
