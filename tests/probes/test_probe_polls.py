"""An SNMP poll in a probe's stream entry: the plain form both ends share, its size, and what is refused."""

import json

import pytest

from netmon_probe import keys
from netmon_probe.checks.core import Outcome
from netmon_probe.runtime import result_text
from netmon_probe.snmp import wire
from netmon_probe.snmp.discovery import DevicePoll, Port, PortReading, System
from netmon_probe.snmp.inventory import Component
from netmon_probe.snmp.routing import RoutingSession
from netmon_probe.snmp.tables import ForwardingEntry
from probes.entries import parsed

COUNTERS = ["in_octets", "in_ucast", "in_mcast", "in_bcast", "out_octets", "out_ucast", "out_mcast", "out_bcast",
            "in_discards", "in_errors", "out_discards", "out_errors"]  # fmt: skip


def switch(ports: int = 48, forwarding: int = 0) -> DevicePoll:
    """A switch as a poll that discovered it sees it: long port names, aliases, every counter large."""
    readings = [
        PortReading(
            Port(i, f"GigabitEthernet1/0/{i}", f"uplink to rack {i} patch panel B", 6, 1_000_000_000),
            True,
            "up" if i % 3 else "down",
            {name: 123_456_789_012 + i * n for n, name in enumerate(COUNTERS)},
            64,
        )
        for i in range(1, ports + 1)
    ]
    return DevicePoll(
        uptime_ticks=987_654_321,
        ports=readings,
        system=System("core-sw-1", "Cisco IOS Software, C3750E", "1.3.6.1.4.1.9.1.516", "Cisco", "WS-C3750E-48TD"),
        sessions=[RoutingSession("bgp", "198.18.0.1", "established", 64512, "", 3600, 12, False)],
        forwarding=[
            ForwardingEntry(f"00:11:22:33:{i // 256:02x}:{i % 256:02x}", 1 + i % 48, 10) for i in range(forwarding)
        ],
        vlans={10: "users"},
        inventory=[Component(1, "chassis", "1", "c3750e", "WS-C3750E-48TD", "FDO1", "V02", "", "12.2", 0)],
    )


def entry(outcome: Outcome) -> dict:
    return {b"entry": result_text(7, 1_700_000_000.0, 1_700_000_000.1, outcome).encode(), b"sent": b"1700000000.2"}


def test_a_poll_reaches_the_centre_as_the_probe_read_it():
    poll = switch()
    run = parsed(entry(Outcome(latency_ms=12.0, details={"ports": 48}, device=poll)))
    assert run.outcome.device == poll
    assert run.outcome.details == {"ports": 48}


def test_a_48_port_switch_fits_an_entry_with_room_to_spare():
    size = len(json.dumps(wire.plain(switch()), separators=(",", ":")))
    assert size < 14_000  # 12.4 KB measured: the docs and keys.MAX_ENTRY_BYTES say so
    assert 20 * size < keys.MAX_ENTRY_BYTES


def test_a_poll_too_large_goes_without_its_tables_then_without_its_ports():
    big_table = switch(forwarding=10_000)
    run = parsed(entry(Outcome(latency_ms=1.0, device=big_table)))
    assert len(run.outcome.device.ports) == 48
    assert (run.outcome.device.forwarding, run.outcome.device.sessions, run.outcome.device.vlans) == (None, None, None)

    huge = switch(ports=2_000)
    run = parsed(entry(Outcome(latency_ms=1.0, details={"ports": 2_000}, device=huge)))
    assert run.outcome.device is None
    assert run.outcome.details == {"ports": 2_000}  # the result itself still counts


@pytest.mark.parametrize(
    "spoil",
    [
        lambda d: d.update(uptime=-1),
        lambda d: d.update(uptime="12"),
        lambda d: d.update(ports={}),
        lambda d: d["ports"][0].__setitem__(0, 2**31),  # ifIndex beyond the column
        lambda d: d["ports"][0].__setitem__(5, "yes"),  # admin_up
        lambda d: d["ports"][0].__setitem__(7, 16),  # counter width
        lambda d: d["ports"][0][8].append(1),  # a counter more than named
        lambda d: d["ports"][0][8].__setitem__(0, 2**64),
        lambda d: d["ports"][0].pop(),
        lambda d: d.update(system=["only a name"]),
        lambda d: d["sessions"][0].__setitem__(3, 1.5),  # remote AS
        lambda d: d.update(vlans=[[10]]),
        lambda d: d.update(counters=[1]),
    ],
)
def test_a_malformed_poll_refuses_its_entry(spoil):
    data = wire.plain(switch(ports=2))
    spoil(data)
    text = json.dumps({"type": "result", "check": 7, "slot": 1.0, "started": 1.0, "details": {}, "device": data})
    assert parsed({b"entry": text.encode()}) is None


def test_texts_are_cut_to_what_the_centre_keeps_and_repeated_rows_kept_once():
    data = wire.plain(switch(ports=2))
    data["ports"][0][1] = "x" * 5_000
    data["ports"].append(data["ports"][1])
    data["sessions"].append(data["sessions"][0])
    poll = wire.poll_of(json.loads(json.dumps(data)))
    assert len(poll.ports[0].port.name) == 100
    assert [r.port.index for r in poll.ports] == [1, 2]
    assert len(poll.sessions) == 1
