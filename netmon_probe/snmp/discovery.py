"""Discovering and polling one SNMP device: what it is, its ports, and their counters.

Discovery (system group, model, each port's name, alias, type and speed) runs on the
first poll in a process, when sysUpTime goes back (the device restarted), when the
set of ifIndex values changes, and every REDISCOVER_EVERY_S. A poll in between reads
only what moves: sysUpTime, port states and counters, in as few GETBULKs as fit.
"""

import time
from dataclasses import dataclass, field

from netmon_probe.snmp import inventory, mib, neighbours, routing, tables
from netmon_probe.snmp.client import Session
from netmon_probe.snmp.inventory import Component
from netmon_probe.snmp.neighbours import Neighbour, text
from netmon_probe.snmp.routing import RoutingSession

REDISCOVER_EVERY_S = 3600
NEIGHBOURS_EVERY_S = 300  # links change more often than ports


@dataclass(frozen=True)
class System:
    name: str
    descr: str
    object_id: str
    vendor: str
    model: str


@dataclass(frozen=True)
class Port:
    """A port as discovered."""

    index: int
    name: str
    alias: str
    type: int
    speed_bps: int | None


@dataclass(frozen=True)
class PortReading:
    """A port as one poll saw it: its identity, states and raw counters."""

    port: Port
    admin_up: bool
    oper_status: str
    counters: dict[str, int]
    counter_bits: int  # 64 (ifXTable HC counters) or 32


@dataclass
class DevicePoll:
    uptime_ticks: int  # sysUpTime, hundredths of a second
    ports: list[PortReading]
    system: System | None = None  # set when this poll discovered the device
    restarted: bool = False  # sysUpTime went back since this process's previous poll
    rediscovered: str = ""  # why discovery ran, if it did
    neighbours: list[Neighbour] | None = None  # set when this poll read them
    sessions: list[RoutingSession] | None = None  # BGP peers and OSPF neighbours, on devices that route
    # Address and forwarding tables, read with the neighbours (None when this poll did not).
    addresses: list[tables.AddressEntry] | None = None
    forwarding: list[tables.ForwardingEntry] | None = None
    vlans: dict[int, str] | None = None
    inventory: list[Component] | None = None  # ENTITY-MIB, read when this poll discovered the device


@dataclass
class Discovery:
    system: System
    ports: dict[int, Port]
    high_capacity: bool
    uptime_ticks: int
    components: list = field(default_factory=list)  # ENTITY-MIB
    at: float = field(default_factory=time.monotonic)
    neighbours_at: float = 0.0
    routes: bool = True  # whether it has routing sessions: read at discovery, then at every poll while it has


_discovered: dict[int, Discovery] = {}  # check id -> what this process knows of its device


def forget(check_id: int) -> None:
    _discovered.pop(check_id, None)


async def poll(check_id: int, session: Session) -> DevicePoll:
    known = _discovered.get(check_id)
    why = "" if known else "first poll"
    if known and time.monotonic() - known.at > REDISCOVER_EVERY_S:
        why = "hourly"
    if known and not why:
        uptime, readings = await _read_ports(session, known)
        if uptime < known.uptime_ticks:
            why = "the device restarted"
        elif set(readings) != set(known.ports):
            why = "its ports changed"
        else:
            known.uptime_ticks = uptime
            found = await _neighbours_due(session, known)
            return DevicePoll(
                uptime, list(readings.values()), neighbours=found, sessions=await _sessions(session, known)
            )
    known = _discovered[check_id] = await discover(session)
    uptime, readings = await _read_ports(session, known)
    known.uptime_ticks = uptime
    restarted = why == "the device restarted"
    found = await _neighbours_due(session, known)
    sessions = await _sessions(session, known)
    known.routes = bool(sessions)
    polled = DevicePoll(uptime, list(readings.values()), known.system, restarted, why, found, sessions,
                        inventory=known.components)  # fmt: skip
    return await _with_tables(session, polled)


async def _with_tables(session: Session, polled: DevicePoll) -> DevicePoll:
    """The ARP and forwarding tables, read when the neighbours are (they move as slowly)."""
    if polled.neighbours is not None:
        polled.addresses = await tables.addresses(session)
        polled.forwarding = await tables.forwarding(session)
        polled.vlans = await tables.vlans(session)
    return polled


async def _sessions(session: Session, known: Discovery) -> list[RoutingSession] | None:
    """Routing sessions at every poll (a session that drops is an alert) of a device that has any."""
    return await routing.read(session) if known.routes else None


async def _neighbours_due(session: Session, known: Discovery) -> list[Neighbour] | None:
    if time.monotonic() - known.neighbours_at < NEIGHBOURS_EVERY_S:
        return None
    found = await neighbours.read(session, {index: port.name for index, port in known.ports.items()})
    known.neighbours_at = time.monotonic()
    return found


async def discover(session: Session) -> Discovery:
    uptime, rows = await session.walk([*mib.IDENTITY_COLUMNS.values(), mib.HC_COUNTERS["in_octets"]], mib.SYS_UPTIME)
    scalars = await session.get(mib.SYS_DESCR, mib.SYS_OBJECT_ID, mib.SYS_NAME)
    columns = {name: rows[column] for name, column in mib.IDENTITY_COLUMNS.items()}
    ports = {index: _port(index, columns) for index in set().union(*(c.keys() for c in columns.values()))}
    object_id = str(scalars.get(mib.SYS_OBJECT_ID, ""))
    components = await inventory.read(session)
    system = System(
        name=text(scalars.get(mib.SYS_NAME)),
        descr=text(scalars.get(mib.SYS_DESCR)),
        object_id=object_id,
        vendor=mib.vendor(object_id),
        model=_model(components, object_id),
    )
    high_capacity = bool(rows[mib.HC_COUNTERS["in_octets"]])
    return Discovery(system, ports, high_capacity, int(uptime or 0), components)


def _model(components: list[Component], object_id: str) -> str:
    """The chassis model (ENTITY-MIB), else the first component's that names one, else the sysObjectID's."""
    chassis = [c.model for c in components if c.physical_class == "chassis" and c.model]
    return next(iter(chassis), None) or next((c.model for c in components if c.model), "") or mib.model(object_id)


async def _read_ports(session: Session, known: Discovery) -> tuple[int, dict[int, PortReading]]:
    counters = mib.HC_COUNTERS if known.high_capacity else mib.LEGACY_COUNTERS
    wanted = {**mib.STATE_COLUMNS, **counters, **mib.ERROR_COUNTERS}
    uptime, rows = await session.walk(list(wanted.values()), mib.SYS_UPTIME)
    states = rows[mib.STATE_COLUMNS["oper_status"]]
    readings = {}
    for index in states:
        port = known.ports.get(index) or Port(index, f"ifIndex {index}", "", 0, None)
        values = {name: int(rows[column][index]) for name, column in wanted.items() if index in rows[column]}
        readings[index] = PortReading(
            port=port,
            admin_up=values.pop("admin_status", 1) == 1,
            oper_status=mib.OPER_STATUS.get(values.pop("oper_status", 4), "unknown"),
            counters=values,
            counter_bits=64 if known.high_capacity else 32,
        )
    return int(uptime or 0), readings


def _port(index: int, columns: dict[str, dict[int, object]]) -> Port:
    def value(name):
        return columns[name].get(index)

    high_speed, speed = value("high_speed"), value("speed")
    if high_speed is not None and int(high_speed) > 0:
        speed_bps = int(high_speed) * 1_000_000
    else:
        speed_bps = int(speed) if speed is not None and int(speed) > 0 else None
    name = text(value("name")) or text(value("descr")) or f"ifIndex {index}"
    return Port(index, name[:100], text(value("alias"))[:200], int(value("type") or 0), speed_bps)
