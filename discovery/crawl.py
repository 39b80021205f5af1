"""Crawling a network from seed devices over SNMP.

Each address is tried with every credential set in turn, SNMPv3 users before v2c
communities; the first that answers is the device's. A device that answers is read
for what leads further (LLDP and CDP neighbours' management addresses, BGP peers,
OSPF neighbours, ARP and IPv6 neighbour entries), and each address found that lies in
the scope is tried in turn. One chassis answering on several addresses is one device:
devices are told apart by the chassis id LLDP advertises, else by sysName with the
chassis serial number. Addresses that answer no credential set are kept as silent
(hosts, or devices the credentials do not open).
"""

import asyncio
import ipaddress
import logging
import socket
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field

from discovery import sweep as sweeping
from netmon_probe.snmp import mib, neighbours, routing, tables
from netmon_probe.snmp.client import Credentials, Session
from netmon_probe.snmp.errors import SnmpFailed
from netmon_probe.snmp.neighbours import Neighbour, chassis_id, text
from netmon_probe.snmp.routing import RoutingSession
from netmon_probe.snmp.tables import AddressEntry

Opener = Callable[[Credentials, int, str], Awaitable[Session]]
logger = logging.getLogger(__name__)


@dataclass
class Found:
    key: str  # what tells this chassis apart (chassis id, or sysName and serial)
    name: str
    addresses: list[str]  # the first is the one it was found on
    credentials: Credentials
    object_id: str = ""
    descr: str = ""
    vendor: str = ""
    neighbours: list[Neighbour] = field(default_factory=list)
    sessions: list[RoutingSession] = field(default_factory=list)
    endpoints: list[AddressEntry] = field(default_factory=list)  # ARP and IPv6 neighbours


@dataclass
class Crawl:
    devices: dict[str, Found] = field(default_factory=dict)  # key -> device
    silent: set[str] = field(default_factory=set)  # addresses no credential set opened
    failures: int = 0  # devices that answered and then failed while being read

    def by_address(self) -> dict[str, Found]:
        return {address: device for device in self.devices.values() for address in device.addresses}


def ordered(credential_sets: Iterable[Credentials]) -> list[Credentials]:
    """v3 users first, then v2c communities, each kind in the order given."""
    sets = list(credential_sets)
    return [c for c in sets if c.version == "3"] + [c for c in sets if c.version != "3"]


def in_scope(address: str, scope: list) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return not ip.is_link_local and any(ip in network for network in scope)


def opener(timeout_s: float, retries: int, port: int = 161) -> Opener:
    async def open_session(credentials: Credentials, family: int, address: str) -> Session:
        return await Session.open(credentials, family, address, port, timeout_s, retries)

    return open_session


class Crawler:
    def __init__(self, credential_sets: Iterable[Credentials], scope: Iterable[str], open_session: Opener,
                 concurrency: int = 32, max_devices: int = 10_000) -> None:  # fmt: skip
        self.credential_sets = ordered(credential_sets)
        self.scope = [ipaddress.ip_network(network, strict=False) for network in scope]
        self.open_session = open_session
        self.limit = asyncio.Semaphore(concurrency)
        self.max_devices = max_devices
        self.result = Crawl()
        self.tried: set[str] = set()
        self.tasks: set[asyncio.Task] = set()

    async def run(self, seeds: Iterable[str], sweep: Iterable[str] = (), sweep_rate: float = 20) -> Crawl:
        for seed in seeds:
            self.visit(seed, seed=True)
        await sweeping.paced(sweeping.addresses(sweep), sweep_rate, self.visit)
        while self.tasks:
            done, _ = await asyncio.wait(self.tasks)
            self.tasks -= done
        return self.result

    def visit(self, address: str, seed: bool = False) -> None:
        if address in self.tried or not (seed or in_scope(address, self.scope)):
            return
        if len(self.result.devices) >= self.max_devices:
            return
        self.tried.add(address)
        self.tasks.add(asyncio.create_task(self.examine(address)))

    async def examine(self, address: str) -> None:
        async with self.limit:
            opened = await self.identify(address)
            if opened is None:
                self.result.silent.add(address)
                return
            session, found = opened
            known = self.result.devices.get(found.key)
            if known is not None:  # the same chassis through another of its addresses
                known.addresses.append(address)
                return
            self.result.devices[found.key] = found
            try:
                await self.read(session, found)
            except Exception as error:
                self.result.failures += 1
                logger.warning("discovery: %s (%s) failed while being read: %s", found.name, address, error)

    async def identify(self, address: str) -> tuple[Session, Found] | None:
        family = socket.AF_INET6 if ":" in address else socket.AF_INET
        for credentials in self.credential_sets:
            try:
                session = await self.open_session(credentials, family, address)
                system = await session.get(mib.SYS_NAME, mib.SYS_OBJECT_ID, mib.SYS_DESCR, mib.LLDP_LOCAL_CHASSIS_ID)
            except (SnmpFailed, TimeoutError, OSError):
                continue
            if mib.SYS_OBJECT_ID not in system:
                continue
            try:
                return session, await self.found(session, address, credentials, system)
            except Exception as error:
                self.result.failures += 1
                logger.warning("discovery: %s answered but could not be identified: %s", address, error)
                return None
        return None

    async def found(self, session: Session, address: str, credentials: Credentials, system: dict) -> Found:
        name = text(system.get(mib.SYS_NAME)) or address
        chassis = chassis_id(system.get(mib.LLDP_LOCAL_CHASSIS_ID)) if mib.LLDP_LOCAL_CHASSIS_ID in system else ""
        if chassis:
            key = f"chassis:{chassis}"
        else:
            _, rows = await session.walk([mib.ENT_PHYSICAL_SERIAL])
            serials = rows[mib.ENT_PHYSICAL_SERIAL]
            serial = next((text(serials[i]) for i in sorted(serials, key=str) if text(serials[i])), "")
            key = f"name:{name}/{serial}"
        object_id = str(system.get(mib.SYS_OBJECT_ID, ""))
        return Found(key, name, [address], credentials, object_id, text(system.get(mib.SYS_DESCR)),
                     mib.vendor(object_id))  # fmt: skip

    async def read(self, session: Session, found: Found) -> None:
        found.neighbours = await neighbours.read(session, {})
        found.sessions = await routing.read(session)
        found.endpoints = await tables.addresses(session)
        for address in await tables.neighbour_addresses(session):
            self.visit(address)
        for peer in found.sessions:
            self.visit(peer.peer)
        for entry in found.endpoints:
            self.visit(entry.ip)


async def crawl(seeds: Iterable[str], credential_sets: Iterable[Credentials], scope: Iterable[str],
                sweep: Iterable[str] = (), sweep_rate: float = 20, open_session: Opener | None = None,
                concurrency: int = 32) -> Crawl:  # fmt: skip
    """Crawl from `seeds`, and from every address of the `sweep` prefixes (which must lie in `scope`)."""
    crawler = Crawler(credential_sets, scope, open_session or opener(timeout_s=1.0, retries=0), concurrency)
    return await crawler.run(seeds, sweep, sweep_rate)
