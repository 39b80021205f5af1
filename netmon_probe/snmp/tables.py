"""A device's address tables: ARP and IPv6 neighbours (IP-MIB), the bridge's forwarding
table (BRIDGE-MIB, Q-BRIDGE-MIB: which MAC sits behind which port, in which VLAN), and
the management addresses its LLDP neighbours advertise. Rows that do not parse are left
out: a device's bad row costs that row, not the reading."""

import ipaddress
from dataclasses import dataclass

from netmon_probe.snmp import mib
from netmon_probe.snmp.client import Session
from netmon_probe.snmp.neighbours import chassis_id, text


@dataclass(frozen=True)
class AddressEntry:
    if_index: int
    ip: str
    mac: str


@dataclass(frozen=True)
class ForwardingEntry:
    mac: str
    if_index: int | None  # the port's ifIndex; None when the bridge port has none
    vlan: int | None


async def addresses(session: Session) -> list[AddressEntry]:
    """The ARP and IPv6 neighbour tables (ipNetToPhysicalTable, else ipNetToMediaTable)."""
    _, rows = await session.walk([mib.IP_NET_TO_PHYSICAL, mib.IP_NET_TO_MEDIA])
    found = {}
    for index, mac in rows[mib.IP_NET_TO_MEDIA].items():
        if isinstance(index, tuple) and len(index) == 5:
            found[(index[0], _ip(index[1:]))] = chassis_id(mac)
    for index, mac in rows[mib.IP_NET_TO_PHYSICAL].items():
        if isinstance(index, tuple) and len(index) >= 4 and len(index) == 3 + index[2]:
            found[(index[0], _ip(index[3:]))] = chassis_id(mac)
    return [AddressEntry(i, ip, mac) for (i, ip), mac in sorted(found.items()) if ip and len(mac) == 17]


async def forwarding(session: Session) -> list[ForwardingEntry]:
    """MAC -> port and VLAN, from Q-BRIDGE-MIB where the device has it, else BRIDGE-MIB."""
    columns = [mib.DOT1D_BASE_PORT_IF_INDEX, mib.DOT1Q_TP_FDB_PORT, mib.DOT1D_TP_FDB_PORT]
    _, rows = await session.walk(columns)
    if_index = {port: _number(value) for port, value in rows[mib.DOT1D_BASE_PORT_IF_INDEX].items()}
    found = {}
    for index, port in rows[mib.DOT1Q_TP_FDB_PORT].items():
        if isinstance(index, tuple) and len(index) == 7:
            found[(_mac(index[1:]), index[0])] = if_index.get(_number(port))
    if not found:
        for index, port in rows[mib.DOT1D_TP_FDB_PORT].items():
            if isinstance(index, tuple) and len(index) == 6:
                found[(_mac(index), None)] = if_index.get(_number(port))
    return [ForwardingEntry(mac, port, vlan) for (mac, vlan), port in sorted(found.items(), key=str) if mac]


async def vlans(session: Session) -> dict[int, str]:
    """VLAN id -> name (Q-BRIDGE-MIB); a switch without the MIB has none."""
    _, rows = await session.walk([mib.DOT1Q_VLAN_STATIC_NAME])
    return {
        index: text(name)[:100] for index, name in rows[mib.DOT1Q_VLAN_STATIC_NAME].items() if isinstance(index, int)
    }


async def neighbour_addresses(session: Session) -> list[str]:
    """The management addresses the device's LLDP neighbours advertise (IPv4 and IPv6), and
    its CDP neighbours' addresses."""
    _, rows = await session.walk([mib.LLDP_REMOTE_MANAGEMENT, mib.CDP_CACHE_ADDRESS])
    found = []
    for index in rows[mib.LLDP_REMOTE_MANAGEMENT]:
        if isinstance(index, tuple) and len(index) > 5 and len(index) == 5 + index[4]:
            found.append(_ip(index[5:]))
    for value in rows[mib.CDP_CACHE_ADDRESS].values():
        raw = _octets(value)
        if len(raw) in (4, 16):
            found.append(_ip(tuple(raw)))
    return sorted({ip for ip in found if ip})


def _number(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None  # a bad row: its port is unknown


def _octets(value) -> bytes:
    try:
        return bytes(value)
    except TypeError:
        return b""  # not an octet string: a bad row


def _ip(numbers: tuple[int, ...]) -> str:
    try:
        return str(ipaddress.ip_address(bytes(numbers)))
    except ValueError:
        return ""


def _mac(numbers: tuple[int, ...]) -> str:
    return ":".join(f"{number:02x}" for number in numbers) if all(0 <= n < 256 for n in numbers) else ""
