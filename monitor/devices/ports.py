"""Recording SNMP polls: each device's facts and each port's state and rates per second.

Rates come from the counters of two successive polls, over the device's own clock
(sysUpTime), so a poll answered late does not bend them. After a restart the
counters start again from zero: that poll gives states but no rates.
"""

from dataclasses import dataclass
from datetime import UTC, datetime

from monitor.devices import inventory, sessions, sightings
from monitor.devices.models import Device, Interface, Neighbour
from netmon_agent.rates import counter_delta
from netmon_probe.snmp.discovery import DevicePoll, PortReading
from netmon_probe.snmp.mib import ERROR_COUNTERS

INTERFACE_FIELDS = [
    "name", "alias", "if_type", "speed_bps", "admin_up", "oper_status", "oper_changed_at", "in_bps", "out_bps",
    "in_pps", "out_pps", "errors_per_s", "discards_per_s", "utilisation_pct", "polled_at", "counters", "counter_bits",
]  # fmt: skip
RATE_FIELDS = ["in_bps", "out_bps", "in_pps", "out_pps", "errors_per_s", "discards_per_s", "utilisation_pct"]


@dataclass(frozen=True)
class Polled:
    host_id: int
    started: float  # unix seconds
    device: DevicePoll


def record(polls: list[Polled]) -> list[Interface]:
    """Save the polls' devices and ports; returns the ports as saved. Call inside the results' transaction."""
    if not polls:
        return []
    host_ids = {p.host_id for p in polls}
    devices = {d.host_id: d for d in Device.objects.select_for_update().filter(host_id__in=host_ids)}
    known = {(i.host_id, i.index): i for i in Interface.objects.filter(host_id__in=host_ids)}
    seen = set()
    for polled in sorted(polls, key=lambda p: p.started):
        at = datetime.fromtimestamp(polled.started, UTC)
        device = devices.get(polled.host_id)
        seconds = _seconds(device, polled, at)
        devices[polled.host_id] = _save_device(device, polled, at)
        for reading in polled.device.ports:
            key = (polled.host_id, reading.port.index)
            seen.add(key)
            interface = known.get(key)
            fresh = interface is None
            if fresh:
                interface = known[key] = Interface(host_id=polled.host_id, index=reading.port.index)
            _apply(interface, reading, seconds if not fresh else None, at)
    polled_hosts = {p.host_id for p in polls}
    gone = [i.pk for key, i in known.items() if key[0] in polled_hosts and key not in seen and i.pk]
    Interface.objects.filter(pk__in=gone).delete()  # ports the device no longer has
    # One INSERT ... ON CONFLICT DO UPDATE: Django's bulk_update spent 140 ms of CPU on a 48-port device.
    Interface.objects.bulk_create(
        [known[key] for key in seen],
        update_conflicts=True,
        unique_fields=["host", "index"],
        update_fields=INTERFACE_FIELDS,
        batch_size=500,
    )
    _save_neighbours(polls)
    sessions.record(polls)
    sightings.record(polls)
    inventory.record(polls)
    return [i for key, i in known.items() if key in seen]


def _save_neighbours(polls: list[Polled]) -> None:
    """Each device's neighbours as its latest reading of them (polls read them every few minutes)."""
    latest = {p.host_id: p for p in sorted(polls, key=lambda p: p.started) if p.device.neighbours is not None}
    if not latest:
        return
    Neighbour.objects.filter(host_id__in=latest).delete()
    Neighbour.objects.bulk_create(
        Neighbour(host_id=host_id, protocol=n.protocol, local_port=n.local_port, remote_name=n.name,
                  remote_port=n.port, remote_platform=n.platform, seen_at=datetime.fromtimestamp(p.started, UTC))
        for host_id, p in latest.items()
        for n in p.device.neighbours
    )  # fmt: skip


def _seconds(device: Device | None, polled: Polled, at: datetime) -> float | None:
    """Seconds since the previous poll by the device's clock; None when there is no usable previous poll."""
    if device is None or device.polled_at is None or polled.device.restarted:
        return None
    ticks = polled.device.uptime_ticks - device.uptime_ticks
    if ticks < 0:
        return None  # restarted between polls this process did not see: counters began again
    if ticks == 0:
        seconds = (at - device.polled_at).total_seconds()  # an agent whose clock stands still
        return seconds if seconds > 0 else None
    return ticks / 100


def _save_device(device: Device | None, polled: Polled, at: datetime) -> Device:
    system = polled.device.system
    if device is None:
        device = Device(host_id=polled.host_id, discovered_at=at)
    if system is not None:
        device.sys_name, device.sys_descr, device.sys_object_id = system.name, system.descr, system.object_id
        device.vendor, device.model, device.discovered_at = system.vendor, system.model, at
    if polled.device.restarted or (device.pk and polled.device.uptime_ticks < device.uptime_ticks):
        device.restarted_at = at
    device.uptime_ticks, device.polled_at = polled.device.uptime_ticks, at
    device.save()
    return device


def _apply(interface: Interface, reading: PortReading, seconds: float | None, at: datetime) -> None:
    port = reading.port
    interface.name, interface.alias, interface.if_type, interface.speed_bps = (
        port.name,
        port.alias,
        port.type,
        port.speed_bps,
    )
    if interface.oper_status != reading.oper_status:
        interface.oper_changed_at = at
    interface.admin_up, interface.oper_status = reading.admin_up, reading.oper_status
    same_width = interface.counter_bits == reading.counter_bits
    rates = port_rates(interface.counters, reading, seconds) if seconds and same_width else {}
    for name in RATE_FIELDS:
        setattr(interface, name, rates.get(name))
    interface.counters, interface.counter_bits, interface.polled_at = reading.counters, reading.counter_bits, at


def port_rates(previous: dict, reading: PortReading, seconds: float) -> dict[str, float]:
    """Per-second rates of one port between two readings `seconds` apart, wraps included."""

    def per_second(*names: str) -> float | None:
        if not all(name in previous and name in reading.counters for name in names):
            return None
        total = 0
        for name in names:
            bits = 32 if name in ERROR_COUNTERS else reading.counter_bits
            total += counter_delta(previous[name], reading.counters[name], bits)
        return total / seconds

    rates = {
        "in_bps": _times(per_second("in_octets"), 8),
        "out_bps": _times(per_second("out_octets"), 8),
        "in_pps": per_second("in_ucast", "in_mcast", "in_bcast") or per_second("in_ucast"),
        "out_pps": per_second("out_ucast", "out_mcast", "out_bcast") or per_second("out_ucast"),
        "errors_per_s": per_second("in_errors", "out_errors"),
        "discards_per_s": per_second("in_discards", "out_discards"),
    }
    busiest = max((r for r in (rates["in_bps"], rates["out_bps"]) if r is not None), default=None)
    rates["utilisation_pct"] = utilisation_pct(busiest, reading.port)
    return rates


SOFTWARE_LOOPBACK = 24  # ifType softwareLoopback: no line, so no speed to share out
# Traffic this far over a port's stated speed means the speed is wrong (net-snmp reports 10
# Mbit/s for virtual ports), not the port: its share is unknown rather than 1,400 %.
IMPLAUSIBLE_PCT = 110.0


def utilisation_pct(busiest_bps: float | None, port) -> float | None:
    """The busier direction's share of the port's speed (ifHighSpeed, else ifSpeed), at most 100 %;
    None when unknown: no speed, a loopback, or traffic the stated speed cannot carry."""
    speed = port.speed_bps
    if busiest_bps is None or not speed or port.type == SOFTWARE_LOOPBACK:
        return None
    share = busiest_bps * 100 / speed
    return None if share > IMPLAUSIBLE_PCT else min(share, 100.0)


def _times(value: float | None, factor: float) -> float | None:
    return None if value is None else value * factor
