"""The metric catalogue: every metric the product names, described once.

Read by history (which frame values become series), alerts (what a rule may watch),
Prometheus (what /metrics exports, under which name) and the dashboard (through
json_script: where a stored series sits in a live frame).

A frame metric's `path` says where its value sits in a stats frame. One `*` in the
path stands for every key at that level (an interface, a mount, a TCP state); the key
becomes the series label. Check metrics come from check results, not frames.
"""

from collections.abc import Mapping
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

# Prometheus families: name (after the netmon_ prefix) -> help text.
FAMILIES = {
    "cpu_usage_ratio": "CPU in use, all cores",
    "cpu_mode_ratio": "CPU time share per mode",
    "load_average": "Load average",
    "memory_bytes": "Memory",
    "swap_used_bytes": "Swap in use",
    "filesystem_size_bytes": "File system size",
    "filesystem_used_bytes": "File system space in use",
    "tcp_connections": "TCP connections by state",
    "network_up": "1 when the interface is up",
    "network_receive_bytes_per_second": "Bytes received per second",
    "network_transmit_bytes_per_second": "Bytes sent per second",
    "network_receive_packets_per_second": "Packets received per second",
    "network_transmit_packets_per_second": "Packets sent per second",
    "network_receive_errors_per_second": "Receive errors per second",
    "network_transmit_errors_per_second": "Transmit errors per second",
    "network_receive_drops_per_second": "Received packets dropped per second",
    "network_transmit_drops_per_second": "Sent packets dropped per second",
    "check_up": "1 when the check's latest run passed (UP or DEGRADED)",
    "check_latency_seconds": "Latency of the check's latest run",
    "check_packet_loss_ratio": "Packet loss of the latest ping run",
    "port_up": "1 when the device port is operationally up",
    "port_receive_bits_per_second": "Bits received per second by the device port",
    "port_transmit_bits_per_second": "Bits sent per second by the device port",
    "port_utilisation_ratio": "Busier direction's share of the port speed",
    "port_errors_per_second": "Errors per second, in and out",
    "port_discards_per_second": "Discarded packets per second, in and out",
}


@dataclass(frozen=True)
class Export:
    """How a metric appears in /metrics: its family, fixed labels and unit scale."""

    family: str
    labels: tuple[tuple[str, str], ...] = ()
    scale: float = 1.0


@dataclass(frozen=True)
class Metric:
    name: str  # as stored in history and named in the series API
    unit: str
    label: str  # what it is, in words
    path: tuple[str, ...] = ()  # where it sits in a stats frame; empty for check metrics
    per: str = ""  # what a `*` in the path names: interface, mount, state
    history: bool = True  # kept as a series
    export: Export | None = None


def _frame(name: str, unit: str, label: str, export: Export | None = None, history: bool = True) -> Metric:
    """A metric at `group.key` of a frame, or `group.*.key` for per-interface and per-mount ones."""
    group, key = name.split(".", 1)
    per = {"net": "interface", "disk": "mount"}.get(group, "")
    path = {"net": ("net", "*", key), "disk": ("disk", "mounts", "*", key)}.get(group, (group, key))
    return Metric(name, unit, label, path, per, history, export)


def _mode(mode: str) -> Export:
    return Export("cpu_mode_ratio", (("mode", mode),), 0.01)


FRAME_METRICS = [
    _frame("cpu.percent", "%", "CPU in use", Export("cpu_usage_ratio", scale=0.01)),
    _frame("cpu.user", "%", "CPU user", _mode("user")),
    _frame("cpu.system", "%", "CPU system", _mode("system")),
    _frame("cpu.iowait", "%", "CPU waiting for I/O", _mode("iowait")),
    _frame("cpu.steal", "%", "CPU stolen by the hypervisor", _mode("steal"), history=False),
    _frame("mem.percent", "%", "memory in use"),
    _frame("mem.swap_percent", "%", "swap in use"),
    _frame("mem.total", "B", "memory", Export("memory_bytes", (("kind", "total"),)), history=False),
    _frame("mem.available", "B", "memory available", Export("memory_bytes", (("kind", "available"),)), history=False),
    _frame("mem.used", "B", "memory in use", Export("memory_bytes", (("kind", "used"),)), history=False),
    _frame("mem.swap_used", "B", "swap in use", Export("swap_used_bytes"), history=False),
    _frame("load.1m", "", "load average, 1 min", Export("load_average", (("window", "1m"),))),
    _frame("load.5m", "", "load average, 5 min", Export("load_average", (("window", "5m"),))),
    _frame("load.15m", "", "load average, 15 min", Export("load_average", (("window", "15m"),))),
    _frame("disk.percent", "%", "disk space in use, per mount"),
    _frame("disk.total", "B", "file system size", Export("filesystem_size_bytes"), history=False),
    _frame("disk.used", "B", "file system space in use", Export("filesystem_used_bytes"), history=False),
    Metric(
        "tcp.states", "", "TCP connections per state", ("tcp", "states", "*"), "state", False, Export("tcp_connections")
    ),
    _frame("net.up", "", "1 when the interface is up", Export("network_up"), history=False),
    _frame("net.rx_bps", "B/s", "received, per interface", Export("network_receive_bytes_per_second")),
    _frame("net.tx_bps", "B/s", "sent, per interface", Export("network_transmit_bytes_per_second")),
    _frame("net.rx_pps", "1/s", "packets received", Export("network_receive_packets_per_second"), history=False),
    _frame("net.tx_pps", "1/s", "packets sent", Export("network_transmit_packets_per_second"), history=False),
    _frame("net.rx_errors_ps", "1/s", "receive errors, per interface", Export("network_receive_errors_per_second")),
    _frame("net.tx_errors_ps", "1/s", "transmit errors, per interface", Export("network_transmit_errors_per_second")),
    _frame("net.rx_drops_ps", "1/s", "receive drops, per interface", Export("network_receive_drops_per_second")),
    _frame("net.tx_drops_ps", "1/s", "transmit drops, per interface", Export("network_transmit_drops_per_second")),
    _frame("tcp.established", "", "established TCP connections"),
]
CHECK_METRICS = [
    Metric("check.up", "", "1 when the check passed (UP or DEGRADED), 0 when DOWN", export=Export("check_up")),
    Metric("check.latency_ms", "ms", "check latency", export=Export("check_latency_seconds", scale=0.001)),
    Metric("check.loss_pct", "%", "packet loss of a ping check", export=Export("check_packet_loss_ratio", scale=0.01)),
]
# Device ports polled by SNMP checks (monitor.devices.ports), per port name.
PORT_METRICS = [
    Metric("port.up", "", "1 when the port is up", per="port", export=Export("port_up")),
    Metric("port.in_bps", "bit/s", "received, per port", per="port", export=Export("port_receive_bits_per_second")),
    Metric("port.out_bps", "bit/s", "sent, per port", per="port", export=Export("port_transmit_bits_per_second")),
    Metric("port.utilisation_pct", "%", "utilisation, per port", per="port",
           export=Export("port_utilisation_ratio", scale=0.01)),
    Metric("port.errors_ps", "1/s", "errors, per port", per="port", export=Export("port_errors_per_second")),
    Metric("port.discards_ps", "1/s", "discards, per port", per="port", export=Export("port_discards_per_second")),
]  # fmt: skip
PORT_FIELDS = {  # metric -> monitor.devices.models.Interface field
    "port.in_bps": "in_bps",
    "port.out_bps": "out_bps",
    "port.utilisation_pct": "utilisation_pct",
    "port.errors_ps": "errors_per_s",
    "port.discards_ps": "discards_per_s",
}
METRICS = {metric.name: metric for metric in FRAME_METRICS + CHECK_METRICS + PORT_METRICS}
# What history keeps and the series API serves.
HISTORY_METRICS = {m.name: m for m in METRICS.values() if m.history}


def is_number(value) -> bool:
    kind = type(value)
    if kind is float or kind is int:  # nearly always: decided without the isinstance checks
        return True
    return isinstance(value, int | float) and not isinstance(value, bool)


def frame_values(frame: Mapping, metric: Metric, skip_down: bool = False) -> list[tuple[str, float | None]]:
    """(label, value) of `metric` in a stats frame; label "" without a `*`, value None when unknown.

    Flags (an interface's `up`) read as 1 and 0. With `skip_down`, interfaces that are
    down are left out. A list, filled without generators: the ingest reads every frame's
    metrics, and nested generators took most of that time.
    """
    found: list[tuple[str, float | None]] = []
    _collect(frame, metric.path, 0, "", skip_down, found)
    return found


def _is_mapping(node) -> bool:
    return type(node) is dict or isinstance(node, Mapping)  # frames are dicts: the ABC check only for others


def _collect(node, path: tuple[str, ...], at: int, label: str, skip_down: bool, found: list) -> None:
    while at < len(path):
        if not _is_mapping(node):
            return
        key = path[at]
        if key == "*":
            for child_label, child in node.items():
                if skip_down and _is_mapping(child) and child.get("up", True) is False:
                    continue
                _collect(child, path, at + 1, child_label, skip_down, found)
            return
        if key not in node:
            return
        node, at = node[key], at + 1
    value = float(node) if isinstance(node, bool) else node
    found.append((label, value if is_number(value) else None))


# --- what alert rules watch ----------------------------------------------------------------


@dataclass(frozen=True)
class AlertMetric:
    """One number per subject that a rule compares with its threshold.

    Agent metrics reduce frame metrics over their labels: per label the `of` metrics are
    added up, then the labels are reduced (max or sum) and scaled. Host metrics come from
    the host's checks (alerts.readings).
    """

    name: str  # as stored in rules and published in the API
    label: str
    subject: str  # "agent", "host", "events" (a device's network events) or "flows" (its flow records)
    of: tuple[str, ...] = ()
    reduce: str = "max"
    scale: float = 1.0
    percent: bool = False  # thresholds from 0 to 100
    ignore_labels: tuple[str, ...] = ("lo",)  # loopback traffic is not the network's

    def read(self, frame: Mapping) -> float | None:
        """This metric of one stats frame, or None when the frame lacks a value."""
        per_label: dict[str, float] = {}
        for name in self.of:
            for label, value in frame_values(frame, METRICS[name]):
                if label in self.ignore_labels:
                    continue
                if value is None:
                    return None  # e.g. a rate on an agent's first tick
                per_label[label] = per_label.get(label, 0.0) + value
        if not per_label:
            return None
        return REDUCE[self.reduce](per_label.values()) * self.scale


REDUCE = {"max": max, "sum": sum}
ALERT_METRICS = [
    AlertMetric("cpu_percent", _("CPU % (agent)"), "agent", ("cpu.percent",), percent=True),
    AlertMetric("mem_percent", _("memory % (agent)"), "agent", ("mem.percent",), percent=True),
    AlertMetric("disk_percent", _("disk %, fullest mount (agent)"), "agent", ("disk.percent",), percent=True),
    AlertMetric(
        "iface_errors_ps",
        _("interface errors/s, all interfaces (agent)"),
        "agent",
        ("net.rx_errors_ps", "net.tx_errors_ps"),
        reduce="sum",
    ),
    AlertMetric(
        "iface_drops_ps",
        _("interface drops/s, all interfaces (agent)"),
        "agent",
        ("net.rx_drops_ps", "net.tx_drops_ps"),
        reduce="sum",
    ),
    AlertMetric(
        "throughput_bps",
        _("throughput bit/s, busiest interface (agent)"),
        "agent",
        ("net.rx_bps", "net.tx_bps"),
        scale=8,
    ),
    # Not read from frames (a silent agent sends none): the ingest's presence watch reports it.
    AlertMetric("agent_offline", _("agent offline: 1 when silent for AGENT_OFFLINE_AFTER s, else 0 (agent)"), "agent"),
    # The probes process reports it from the probes' leases (probes.presence).
    AlertMetric("probe_offline", _("probe offline: 1 when its lease lapsed, else 0 (probe)"), "agent"),
    AlertMetric("check_latency_ms", _("check latency ms, slowest check (host)"), "host"),
    AlertMetric("loss_pct", _("packet loss % (host, ping)"), "host", percent=True),
    AlertMetric("host_down", _("host DOWN: 1 when DOWN, else 0 (host)"), "host"),
    AlertMetric("cert_days_left", _("certificate days left, soonest (host, https)"), "host"),
    AlertMetric(
        "device_unreachable", _("device unreachable: 1 when its SNMP check is DOWN, else 0 (host, snmp)"), "host"
    ),
    AlertMetric("ports_down", _("ports down: enabled ports not up (host, snmp)"), "host"),
    AlertMetric("port_utilisation_pct", _("port utilisation %, busiest port (host, snmp)"), "host", percent=True),
    AlertMetric("port_errors_ps", _("port errors/s, all ports (host, snmp)"), "host"),
    AlertMetric("sessions_down", _("routing sessions down: BGP peers not established, OSPF neighbours not full "
                                   "(host, snmp)"), "host"),
    AlertMetric("path_changed", _("path changed: 1 when the hops differ from the previous run, else 0 (host, path)"),
                "host"),
    AlertMetric("path_hop_loss_pct", _("path hop loss %, worst hop before the target (host, path)"), "host",
                percent=True),
    # Counted by the events receiver (alerts.event_evaluator) from the rule's event conditions.
    AlertMetric("network_events", _("network events matching the rule's conditions within its window (device)"),
                "events"),
    # The flow collector's minutes (alerts.flow_evaluator), matched by the rule's flow condition.
    AlertMetric("flow_bps", _("flow traffic bit/s matching the rule's flow condition, per minute (device, flows)"),
                "flows"),
]  # fmt: skip
ALERT_METRIC_BY_NAME = {metric.name: metric for metric in ALERT_METRICS}
AGENT_ALERT_METRICS = frozenset(m.name for m in ALERT_METRICS if m.subject == "agent")
HOST_ALERT_METRICS = frozenset(m.name for m in ALERT_METRICS if m.subject == "host")
