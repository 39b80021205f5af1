"""A device poll as plain JSON data, for a probe's stream entry, and back, validated.

The probe writes `plain(poll)`; the centre reads `poll_of(data)` and records it as it
records its own polls (monitor.devices.ports). Compact, because a poll of a large switch
rides in one entry: each record is a list of its fields in declaration order, and the
counter names are written once per poll, not once per port (a 48-port switch with 12 counters a port: 12.4 KB, see
docs/features/sites-and-probes.md). Whatever does not fit is refused with ValueError:
a wrong type, a number out of the column's range, a row of the wrong length. Texts are
cut to what the centre keeps of them.
"""

import dataclasses
import typing
from types import NoneType, UnionType

from netmon_probe.snmp.discovery import DevicePoll, Port, PortReading, System
from netmon_probe.snmp.inventory import Component
from netmon_probe.snmp.neighbours import Neighbour
from netmon_probe.snmp.routing import RoutingSession
from netmon_probe.snmp.tables import AddressEntry, ForwardingEntry

SMALL = 2**31  # the centre's positive integer columns (ifIndex, ifType, VLAN ids, ...)
BIG = 2**63  # its big integer columns (speeds, AS numbers, sysUpTime)
COUNTER = 2**64  # Counter64
BIG_FIELDS = {"speed_bps", "remote_as"}
TEXT = 255
# What the centre keeps of a text, by record and field, where it is not TEXT.
TEXT_LIMITS = {
    Port: {"name": 100, "alias": 200},
    System: {"descr": 10_000, "vendor": 100},
    Neighbour: {"protocol": 4, "local_port": 100, "port": 100, "platform": 100},
    RoutingSession: {"protocol": 4, "peer": 45, "state": 16, "router_id": 45},
    AddressEntry: {"ip": 45, "mac": 17},
    ForwardingEntry: {"mac": 17},
    Component: {"physical_class": 20},
}
OPER_STATUS = 20
# What makes a record one row at the centre: of two with the same, the first is kept.
IDENTITIES = {RoutingSession: ("protocol", "peer"), AddressEntry: ("ip", "mac"), ForwardingEntry: ("mac", "vlan"),
              Component: ("index",)}  # fmt: skip
# The poll's lists of records read besides the ports (None: not read by this poll).
TABLES = {"neighbours": Neighbour, "sessions": RoutingSession, "addresses": AddressEntry,
          "forwarding": ForwardingEntry, "inventory": Component}  # fmt: skip


def plain(poll: DevicePoll, tables: bool = True) -> dict:
    """The poll as JSON-ready data; without the tables (neighbours, sessions, ARP, forwarding,
    VLANs, inventory) when `tables` is false."""
    names = sorted({name for reading in poll.ports for name in reading.counters})
    data = {
        "uptime": poll.uptime_ticks,
        "restarted": poll.restarted,
        "counters": names,
        "ports": [_port_row(reading, names) for reading in poll.ports],
        "system": _row(poll.system) if poll.system else None,
    }
    if tables:
        for name in TABLES:
            records = getattr(poll, name)
            data[name] = None if records is None else [_row(record) for record in records]
        data["vlans"] = None if poll.vlans is None else [[vid, name] for vid, name in poll.vlans.items()]
    return data


def _port_row(reading: PortReading, names: list[str]) -> list:
    counters = [reading.counters.get(name) for name in names]
    return [*_row(reading.port), reading.admin_up, reading.oper_status, reading.counter_bits, counters]


def _row(record) -> list:
    return [getattr(record, f.name) for f in dataclasses.fields(record)]


def poll_of(data) -> DevicePoll:
    """The poll `plain` wrote; raises ValueError when `data` is not one."""
    if not isinstance(data, dict):
        raise ValueError("a device poll is an object")
    names = data.get("counters")
    if not isinstance(names, list) or not all(isinstance(n, str) and len(n) <= 40 for n in names):
        raise ValueError("counters: a list of names")
    poll = DevicePoll(
        uptime_ticks=_integer(data.get("uptime"), BIG),
        ports=_distinct([_reading(row, names) for row in _list(data.get("ports"))], lambda r: r.port.index),
        system=None if data.get("system") is None else _record(System, data["system"]),
        restarted=_flag(data.get("restarted")),
    )
    for name, kind in TABLES.items():
        if data.get(name) is not None:
            records = [_record(kind, row) for row in _list(data[name])]
            if kind in IDENTITIES:
                records = _distinct(records, lambda r, fields=IDENTITIES[kind]: tuple(getattr(r, f) for f in fields))
            setattr(poll, name, records)
    if data.get("vlans") is not None:
        poll.vlans = {_integer(vid, SMALL): _text(name, 100) for vid, name in map(_pair, _list(data["vlans"]))}
    return poll


def _distinct(records: list, identity) -> list:
    kept = {}
    for record in records:
        kept.setdefault(identity(record), record)
    return list(kept.values())


def _reading(row, names: list[str]) -> PortReading:
    width = len(dataclasses.fields(Port))
    if not isinstance(row, list) or len(row) != width + 4:
        raise ValueError("a port is a list of its fields")
    admin_up, oper_status, bits, values = row[width:]
    if bits not in (32, 64) or not isinstance(values, list) or len(values) != len(names):
        raise ValueError("a port's counters do not fit")
    counters = {name: _integer(value, COUNTER) for name, value in zip(names, values, strict=True) if value is not None}
    return PortReading(_record(Port, row[:width]), _flag(admin_up), _text(oper_status, OPER_STATUS), counters, bits)


def _record(kind: type, row):
    fields = dataclasses.fields(kind)
    if not isinstance(row, list) or len(row) != len(fields):
        raise ValueError(f"a {kind.__name__} is a list of {len(fields)} fields")
    hints = typing.get_type_hints(kind)
    limits = TEXT_LIMITS.get(kind, {})
    return kind(*(_value(hints[f.name], v, limits.get(f.name, TEXT), f.name) for f, v in zip(fields, row, strict=True)))


def _value(hint, value, limit: int, name: str):
    if isinstance(hint, UnionType) and NoneType in hint.__args__:
        if value is None:
            return None
        (hint,) = [arg for arg in hint.__args__ if arg is not NoneType]
    if hint is bool:
        return _flag(value)
    if hint is int:
        return _integer(value, BIG if name in BIG_FIELDS else SMALL)
    if hint is str:
        return _text(value, limit)
    raise ValueError(f"{name}: no plain form for {hint}")


def _integer(value, below: int) -> int:
    if type(value) is not int or not 0 <= value < below:
        raise ValueError(f"not a number from 0 to {below - 1}")
    return value


def _flag(value) -> bool:
    if type(value) is not bool:
        raise ValueError("not true or false")
    return value


def _text(value, limit: int) -> str:
    if not isinstance(value, str):
        raise ValueError("not a text")
    return value[:limit]


def _list(value) -> list:
    if not isinstance(value, list):
        raise ValueError("not a list")
    return value


def _pair(value) -> list:
    if not isinstance(value, list) or len(value) != 2:
        raise ValueError("not a pair")
    return value
