"""Parsing the address tables a device reports (forwarding, ARP, neighbours' addresses) from
the rows an SNMP walk returns; a bad row costs that row only."""

import asyncio

from netmon_probe.snmp import mib, tables


class Walked:
    """A device's answer to a walk, as netmon_probe.snmp.client.Session returns it."""

    def __init__(self, rows: dict[str, dict]) -> None:
        self.rows = rows

    async def walk(self, columns, first=None):
        return None, {column: self.rows.get(column, {}) for column in columns}


def test_neighbour_addresses_come_from_lldp_and_cdp():
    rows = {
        mib.LLDP_REMOTE_MANAGEMENT: {
            (0, 3, 1, 1, 4, 198, 18, 7, 2): 2,
            (0, 3, 1, 1, 4, 1): 2,
        },  # the second is cut short
        mib.CDP_CACHE_ADDRESS: {(10, 1): bytes([198, 18, 9, 1]), (11, 1): b"\x01", (12, 1): 7},
    }
    assert asyncio.run(tables.neighbour_addresses(Walked(rows))) == ["198.18.7.2", "198.18.9.1"]


def test_forwarding_prefers_q_bridge_and_maps_ports_to_if_index():
    mac = (0x02, 0x00, 0x5E, 0x10, 0x00, 0x01)
    rows = {
        mib.DOT1D_BASE_PORT_IF_INDEX: {3: 7},
        mib.DOT1Q_TP_FDB_PORT: {(20, *mac): 3, (20, 1, 2, 3, 4, 5, 999): 3, (20, 1, 2, 3, 4, 5, 6): "bad"},
        mib.DOT1D_TP_FDB_PORT: {mac: 3},
    }
    entries = asyncio.run(tables.forwarding(Walked(rows)))
    assert [(e.mac, e.if_index, e.vlan) for e in entries] == [
        ("01:02:03:04:05:06", None, 20), ("02:00:5e:10:00:01", 7, 20)]  # fmt: skip


def test_arp_and_ipv6_neighbours_from_ip_mib():
    v6 = (0x20, 0x01, 0x0D, 0xB8, *([0] * 11), 0x13)
    rows = {
        mib.IP_NET_TO_PHYSICAL: {(4, 1, 4, 198, 18, 1, 5): bytes(range(6)), (4, 2, 16, *v6): bytes(range(1, 7)),
                                 (4, 1, 9, 1): b"short"},
    }  # fmt: skip
    entries = asyncio.run(tables.addresses(Walked(rows)))
    assert [(e.if_index, e.ip, e.mac) for e in entries] == [
        (4, "198.18.1.5", "00:01:02:03:04:05"), (4, "2001:db8::13", "01:02:03:04:05:06")]  # fmt: skip
