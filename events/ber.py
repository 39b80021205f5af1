"""SNMPv1 and v2c notifications read straight from BER, and the answer to an INFORM.

pyasn1 (under pysnmp) takes about 600 µs to decode one trap; this reader takes a few
tens (bench/events.py), which is what lets one receiver core take thousands a second.
It reads only what a notification holds; anything else raises BadInput with a reason.
v3 messages, encrypted, go to pysnmp (events.trap_v3).
"""

from dataclasses import dataclass

from events.syslog import BadInput

SEQUENCE, INTEGER, OCTETS, NULL, OID = 0x30, 0x02, 0x04, 0x05, 0x06
V1_TRAP, INFORM, V2_TRAP, RESPONSE = 0xA4, 0xA6, 0xA7, 0xA2
IP_ADDRESS, TIMETICKS = 0x40, 0x43
UNSIGNED = {0x41, 0x42, 0x43, 0x46, 0x47}  # Counter32, Gauge32, TimeTicks, Counter64, UInteger32
EXCEPTIONS = {0x80: "noSuchObject", 0x81: "noSuchInstance", 0x82: "endOfMibView"}
SNMP_TRAP_OID = "1.3.6.1.6.3.1.1.4.1.0"
SYS_UPTIME = "1.3.6.1.2.1.1.3.0"
GENERIC_TRAPS = "1.3.6.1.6.3.1.1.5."  # v1 generic traps 0-5 are .1 to .6 of this (RFC 3584)
VERSIONS = {0: "1", 1: "2c", 3: "3"}


@dataclass(frozen=True)
class Notification:
    version: str  # "1" or "2c"
    community: str
    trap_oid: str
    varbinds: list[tuple[str, object]]  # (OID, int | str | bytes | None)
    request_id: int | None = None  # an INFORM's: it is answered
    agent_address: str | None = None  # v1's agent-addr


def _header(data: bytes, at: int, end: int) -> tuple[int, int, int]:
    """(tag, start of the value, end of the value) of the TLV at `at`."""
    if at + 2 > end:
        raise BadInput("truncated BER")
    tag, length = data[at], data[at + 1]
    at += 2
    if length & 0x80:
        count = length & 0x7F
        if count == 0 or count > 4 or at + count > end:
            raise BadInput("bad BER length")
        length = int.from_bytes(data[at : at + count], "big")
        at += count
    if at + length > end:
        raise BadInput("truncated BER")
    return tag, at, at + length


def _expect(data: bytes, at: int, end: int, tag: int) -> tuple[int, int]:
    found, start, stop = _header(data, at, end)
    if found != tag:
        raise BadInput("unexpected BER tag")
    return start, stop


def _integer(data: bytes, at: int, end: int) -> tuple[int, int]:
    start, stop = _expect(data, at, end, INTEGER)
    if not 0 < stop - start <= 9:
        raise BadInput("bad BER integer")
    return int.from_bytes(data[start:stop], "big", signed=True), stop


def _oid(raw: bytes) -> str:
    if not raw or raw[-1] & 0x80:
        raise BadInput("bad OID")
    arcs, value = [], 0
    for byte in raw:
        value = (value << 7) | (byte & 0x7F)
        if not byte & 0x80:
            arcs.append(value)
            value = 0
    first = min(arcs[0] // 40, 2)
    return ".".join(map(str, [first, arcs[0] - 40 * first, *arcs[1:]]))


def _value(tag: int, raw: bytes):
    if tag == INTEGER:
        return int.from_bytes(raw, "big", signed=True)
    if tag in UNSIGNED:
        return int.from_bytes(raw, "big")
    if tag == OID:
        return _oid(raw)
    if tag == IP_ADDRESS:
        return ".".join(map(str, raw)) if len(raw) == 4 else raw.hex()
    if tag in (OCTETS, 0x44):  # OCTET STRING, Opaque
        return bytes(raw)
    if tag == NULL or tag in EXCEPTIONS:
        return None
    raise BadInput("unknown BER value type")


def _varbinds(data: bytes, at: int, end: int) -> list[tuple[str, object]]:
    start, stop = _expect(data, at, end, SEQUENCE)
    varbinds = []
    while start < stop:
        pair_start, pair_stop = _expect(data, start, stop, SEQUENCE)
        oid_start, oid_stop = _expect(data, pair_start, pair_stop, OID)
        tag, value_start, value_stop = _header(data, oid_stop, pair_stop)
        varbinds.append((_oid(data[oid_start:oid_stop]), _value(tag, data[value_start:value_stop])))
        start = pair_stop
    return varbinds


def message_version(data: bytes) -> str:
    """ "1", "2c" or "3": which reader the message is for."""
    start, stop = _expect(data, 0, len(data), SEQUENCE)
    version, _ = _integer(data, start, stop)
    if version not in VERSIONS:
        raise BadInput("unknown SNMP version")
    return VERSIONS[version]


def decode(data: bytes) -> Notification:
    """A v1 or v2c TRAP or INFORM; raises BadInput for anything else."""
    start, stop = _expect(data, 0, len(data), SEQUENCE)
    version, at = _integer(data, start, stop)
    community_start, at = _expect(data, at, stop, OCTETS)
    community = data[community_start:at].decode(errors="replace")
    tag, pdu_start, pdu_stop = _header(data, at, stop)
    if version == 0 and tag == V1_TRAP:
        return _v1(data, pdu_start, pdu_stop, community)
    if version == 1 and tag in (V2_TRAP, INFORM):
        request_id, at = _integer(data, pdu_start, pdu_stop)
        _status, at = _integer(data, at, pdu_stop)
        _index, at = _integer(data, at, pdu_stop)
        varbinds = _varbinds(data, at, pdu_stop)
        trap_oid = next((value for oid, value in varbinds if oid == SNMP_TRAP_OID), None)
        if not isinstance(trap_oid, str):
            raise BadInput("no snmpTrapOID")
        return Notification("2c", community, trap_oid, varbinds, request_id if tag == INFORM else None)
    raise BadInput("not a notification")


def _v1(data: bytes, at: int, stop: int, community: str) -> Notification:
    enterprise_start, at = _expect(data, at, stop, OID)
    enterprise = _oid(data[enterprise_start:at])
    address_start, at = _expect(data, at, stop, IP_ADDRESS)
    agent = _value(IP_ADDRESS, data[address_start:at])
    generic, at = _integer(data, at, stop)
    specific, at = _integer(data, at, stop)
    _ticks_start, at = _expect(data, at, stop, TIMETICKS)
    varbinds = _varbinds(data, at, stop)
    trap_oid = f"{GENERIC_TRAPS}{generic + 1}" if 0 <= generic <= 5 else f"{enterprise}.0.{specific}"
    return Notification("1", community, trap_oid, varbinds, agent_address=agent)


def _tlv(tag: int, value: bytes) -> bytes:
    length = len(value)
    if length < 0x80:
        return bytes((tag, length)) + value
    size = (length.bit_length() + 7) // 8
    return bytes((tag, 0x80 | size)) + length.to_bytes(size, "big") + value


def inform_response(data: bytes) -> bytes:
    """The Response to a v2c INFORM: its request id and varbinds, no error (RFC 3416 4.2.7)."""
    start, stop = _expect(data, 0, len(data), SEQUENCE)
    _version, at = _integer(data, start, stop)
    _community, community_end = _expect(data, at, stop, OCTETS)
    _tag, pdu_start, pdu_stop = _header(data, community_end, stop)
    _request, request_end = _integer(data, pdu_start, pdu_stop)
    _status, at = _integer(data, request_end, pdu_stop)
    _index, at = _integer(data, at, pdu_stop)
    no_error = b"\x02\x01\x00\x02\x01\x00"
    pdu = _tlv(RESPONSE, data[pdu_start:request_end] + no_error + data[at:pdu_stop])
    return _tlv(SEQUENCE, data[start:community_end] + pdu)
