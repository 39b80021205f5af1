"""The readings alert rules compare: agent metrics from a stats frame, host metrics from checks."""

import functools
from collections import defaultdict
from collections.abc import Collection

from core.contracts.metrics import ALERT_METRICS
from monitor.models import Check, CheckResult

AGENT_READINGS = [metric for metric in ALERT_METRICS if metric.subject == "agent"]


def agent_readings(frame: dict, only: Collection[str] | None = None) -> dict[str, float]:
    """The agent metrics of one stats frame (missing parts are left out); with `only`, just those."""
    readings = {}
    for metric in AGENT_READINGS:
        if only is not None and metric.name not in only:
            continue
        if (value := metric.read(frame)) is not None:
            readings[metric.name] = value
    return readings


def host_readings(status: str, latencies: list[float], losses: list[float], cert_days: list[int]) -> dict[str, float]:
    """The host metrics from its checks' latest results."""
    readings = {"host_down": 1.0 if status == "down" else 0.0}
    if latencies:
        readings["check_latency_ms"] = max(latencies)
    if losses:
        readings["loss_pct"] = max(losses)
    if cert_days:
        readings["cert_days_left"] = float(min(cert_days))
    return readings


def port_readings(interfaces: list) -> dict[str, float]:
    """A device's port metrics from its ports as one poll left them (monitor.devices.models.Interface)."""
    readings = {"ports_down": float(sum(1 for i in interfaces if i.admin_up and i.oper_status != "up"))}
    if utilisations := [i.utilisation_pct for i in interfaces if i.utilisation_pct is not None]:
        readings["port_utilisation_pct"] = max(utilisations)
    if errors := [i.errors_per_s for i in interfaces if i.errors_per_s is not None]:
        readings["port_errors_ps"] = sum(errors)
    return readings


def _previous_details(result) -> dict | None:
    return (
        CheckResult.objects.filter(host_check_id=result.host_check_id, started_at__lt=result.started_at)
        .order_by("-started_at")
        .values_list("details", flat=True)
        .first()
    )


def device_readings(recorded) -> dict[int, dict[str, float]]:
    """host id -> the readings each check's kind takes from its result (an SNMP device's
    reachability, a path's changes), and the port metrics, for the hosts of a saved batch."""
    readings = defaultdict(dict)
    for result in recorded.results:
        previous = functools.partial(_previous_details, result)
        readings[result.host_id].update(result.host_check.kind_spec.readings(result, previous))
    ports = defaultdict(list)
    for interface in recorded.interfaces:
        ports[interface.host_id].append(interface)
    for host_id, interfaces in ports.items():
        readings[host_id].update(port_readings(interfaces))
    return readings


def host_readings_of(recorded) -> dict[str, tuple[str, dict[str, float]]]:
    """subject -> (label, readings) for each host of a saved batch of check results."""
    host_ids = [host.id for host in recorded.hosts]
    devices = device_readings(recorded)
    latencies, losses, cert_days = defaultdict(list), defaultdict(list), defaultdict(list)
    checks = Check.objects.filter(host_id__in=host_ids, enabled=True).values_list(
        "host_id", "last_latency_ms", "last_loss_pct"
    )
    for host_id, latency, loss in checks:
        if latency is not None:
            latencies[host_id].append(latency)
        if loss is not None:
            losses[host_id].append(loss)
    for result in recorded.results:
        if (days := result.details.get("cert_days_left")) is not None:
            cert_days[result.host_id].append(days)
    return {
        f"host:{h.id}": (
            h.name,
            host_readings(h.status, latencies[h.id], losses[h.id], cert_days[h.id]) | devices[h.id],
        )
        for h in recorded.hosts
    }
