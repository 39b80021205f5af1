"""Live frames about monitored hosts, and the groups they go to.

Published after each saved batch of check results (core.contracts.signals.results_recorded):
a `hosts` frame to every dashboard (group `stats`) whenever a batch changes hosts'
state or latency; a `check_results` frame to the pages watching a host (`host.<id>`);
after an SNMP poll, a `ports` frame to those and to the network map (`devices`).
Their fields are written in the protocol catalogue (core.contracts.protocol).
"""

import json
from collections import defaultdict

from core.contracts.groups import DEVICES_GROUP, STATS_FRAME, STATS_GROUP, host_group
from core.contracts.protocol import frame
from core.redis_io.publisher import Frame, publisher
from monitor.devices.models import Interface
from monitor.models import CheckResult, Host
from monitor.results import Recorded


def _iso(value) -> str | None:
    return value.isoformat() if value else None


def host_summary(host: Host, tags: list[str], busiest: dict | None = None) -> dict:
    """A host as the grid draws it; `busiest`: a device's busiest port (busiest_port)."""
    summary = {
        "id": host.id,
        "name": host.name,
        "address": host.address,
        "tags": sorted(tags),
        "status": host.status,
        "latency_ms": host.last_latency_ms,
        "changed_at": _iso(host.status_changed_at),
        "checked_at": _iso(host.last_checked_at),
    }
    if busiest is not None:
        summary["busiest_port"] = busiest
    return summary


def port_fields(interface: Interface) -> dict:
    return {
        "index": interface.index,
        "name": interface.name,
        "alias": interface.alias,
        "speed_bps": interface.speed_bps,
        "admin_up": interface.admin_up,
        "oper": interface.oper_status,
        "in_bps": interface.in_bps,
        "out_bps": interface.out_bps,
        "util_pct": interface.utilisation_pct,
        "errors_ps": interface.errors_per_s,
        "discards_ps": interface.discards_per_s,
        "changed": interface.oper_changed_at.timestamp() if interface.oper_changed_at else None,
        "ts": interface.polled_at.timestamp(),
    }


def busiest_port(interfaces) -> dict | None:
    """The port carrying the most traffic (either direction), for a device's tile."""
    loads = [(max(i.in_bps or 0, i.out_bps or 0), i) for i in interfaces if i.in_bps is not None]
    if not loads:
        return None
    bps, interface = max(loads, key=lambda load: load[0])
    return {"name": interface.name, "bps": bps, "util_pct": interface.utilisation_pct, "ports": len(interfaces)}


def result_fields(result: CheckResult) -> dict:
    return {
        "check": result.host_check_id,
        "ts": result.started_at.timestamp(),
        "status": result.status,
        "latency_ms": result.latency_ms,
        "loss_pct": result.loss_pct,
        "jitter_ms": result.jitter_ms,
        "error": result.error,
        "details": result.details,
    }


def frames(recorded: Recorded) -> list[Frame]:
    """The frames of one saved batch, each encoded once."""
    if not recorded.results:
        return []
    ports = defaultdict(list)
    for interface in recorded.interfaces:
        ports[interface.host_id].append(interface)
    summaries = [
        host_summary(h, recorded.tags.get(h.id, []), busiest_port(ports.get(h.id, []))) for h in recorded.hosts
    ]
    out = [(STATS_GROUP, STATS_FRAME, json.dumps(frame("hosts", hosts=summaries)))]
    per_host = defaultdict(list)
    for result in recorded.results:
        per_host[result.host_id].append(result_fields(result))
    statuses = {h.id: h.status for h in recorded.hosts}
    for host_id, results in per_host.items():
        results_frame = frame("check_results", host=host_id, status=statuses.get(host_id), results=results)
        out.append((host_group(host_id), STATS_FRAME, json.dumps(results_frame)))
    return out + port_frames(recorded.interfaces)


def publish_results(sender, recorded: Recorded, **kwargs) -> None:
    """To the dashboards, after each saved batch. When Redis is away the results are saved;
    the pages catch up with the next batch, or from /hosts/grid.json when they reconnect."""
    publisher().publish(frames(recorded))


def port_frames(interfaces: list[Interface]) -> list[Frame]:
    ports = defaultdict(list)
    for interface in interfaces:
        ports[interface.host_id].append(interface)
    out = []
    for host_id, changed in ports.items():
        text = json.dumps(frame("ports", host=host_id, ports=[port_fields(i) for i in changed]))
        out += [(host_group(host_id), STATS_FRAME, text), (DEVICES_GROUP, STATS_FRAME, text)]
    return out


def publish_ports(sender, interfaces: list[Interface], **kwargs) -> None:
    """Ports a linkDown or linkUp changed (events receiver), before the next poll."""
    if interfaces:
        publisher().publish(port_frames(interfaces))
