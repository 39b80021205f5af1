"""The lab network answers as real devices do: BGP and OSPF between the routers through
FRR's AgentX modules, LLDP between every router and switch, and each switch's bridge
table through BRIDGE-MIB."""

import asyncio
import socket

from netmon_probe.snmp import neighbours, routing
from netmon_probe.snmp.client import Session
from netmon_probe.snmp.errors import SnmpFailed
from tests.lab.conftest import in_namespace
from tests.lab.snmp import address, session, switch_credentials

TP_FDB_PORT = "1.3.6.1.2.1.17.4.3.1.2"


def test_it_runs_bgp_and_ospf_between_the_routers(lab):
    async def read():
        return await routing.read(await session(lab, "r1"))

    sessions = {(s.protocol, s.peer): s for s in asyncio.run(read())}
    assert sessions[("bgp", "198.19.140.6")].up, sessions
    assert sessions[("bgp", "198.19.140.6")].remote_as == 64602
    assert sessions[("bgp", "198.19.140.6")].prefixes > 0
    assert sessions[("ospf", "198.19.140.6")].router_id == "198.19.140.102"


def test_it_links_routers_and_switches_by_lldp(lab):
    async def read(name):
        return {(n.local_port, n.name, n.port) for n in await neighbours.read(await session(lab, name), {})}

    assert ("to-sw1", "sw1", "p1") in asyncio.run(read("r1"))
    assert ("to-r1", "r1", "to-r2") in asyncio.run(read("r2"))
    assert ("p1", "r2", "to-sw2") in asyncio.run(read("sw2"))


def test_a_switch_reports_where_a_host_is_plugged(lab):
    host_mac = in_namespace(lab, "h2", "cat", "/sys/class/net/eth0/address").stdout.strip()
    # Any frame from the host teaches the bridge its MAC: a UDP datagram to the gateway will do.
    in_namespace(lab, "h2", "python3", "-c", "import socket; socket.socket(2, 2).sendto(b'x', ('198.19.141.1', 9))")

    async def read():
        _, rows = await (await session(lab, "sw1")).walk([TP_FDB_PORT])
        return rows[TP_FDB_PORT]

    suffix = tuple(int(part, 16) for part in host_mac.split(":"))
    assert asyncio.run(read()).get(suffix) == 3  # p3: h2's port (bridge port numbers follow the order added)


def test_routers_answer_v3_only(lab):
    async def read():
        s = await Session.open(switch_credentials(lab), socket.AF_INET, address(lab, "r1"), 161, 1, 0)
        return await s.get("1.3.6.1.2.1.1.5.0")

    try:
        answer = asyncio.run(read())
    except (SnmpFailed, TimeoutError):
        answer = None
    assert not answer
