"""GET /metrics: the latest host, interface and check metrics in Prometheus text format.

Agent values come from the latest frame of each agent in Redis, check values from
each check's latest state in the database. Rates are exported as gauges, as the
agents compute them; units follow Prometheus conventions (seconds, bytes, ratios).
"""

import json

from django.http import HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily
from rest_framework.exceptions import AuthenticationFailed

from monitor.api.auth import token_from_header, user_for_token
from monitor.models import Alert, AlertState, Check, Host, Status
from NetWorkMonitor.redis_clients import sync_redis
from stats.history.metrics import is_number
from stats.latest import latest_key

INTERFACE_RATES = {
    "rx_bps": ("network_receive_bytes_per_second", "Bytes received per second"),
    "tx_bps": ("network_transmit_bytes_per_second", "Bytes sent per second"),
    "rx_pps": ("network_receive_packets_per_second", "Packets received per second"),
    "tx_pps": ("network_transmit_packets_per_second", "Packets sent per second"),
    "rx_errors_ps": ("network_receive_errors_per_second", "Receive errors per second"),
    "tx_errors_ps": ("network_transmit_errors_per_second", "Transmit errors per second"),
    "rx_drops_ps": ("network_receive_drops_per_second", "Received packets dropped per second"),
    "tx_drops_ps": ("network_transmit_drops_per_second", "Sent packets dropped per second"),
}


def gauge(name: str, documentation: str, labels: list[str]) -> GaugeMetricFamily:
    return GaugeMetricFamily(f"netmon_{name}", documentation, labels=labels)


def _add(family: GaugeMetricFamily, labels: list[str], value, scale: float = 1) -> None:
    """Add a sample when the frame has the value (a collector may have failed this tick)."""
    if is_number(value):
        family.add_metric(labels, value * scale)


class AgentCollector:
    def __init__(self, frames: list[dict]) -> None:
        self.frames = frames

    def collect(self):
        seen = gauge("agent_last_sample_timestamp_seconds", "When the agent last sampled its host", ["agent"])
        cpu = gauge("cpu_usage_ratio", "CPU in use, all cores", ["agent"])
        cpu_mode = gauge("cpu_mode_ratio", "CPU time share per mode", ["agent", "mode"])
        load = gauge("load_average", "Load average", ["agent", "window"])
        memory = gauge("memory_bytes", "Memory", ["agent", "kind"])
        swap = gauge("swap_used_bytes", "Swap in use", ["agent"])
        fs_size = gauge("filesystem_size_bytes", "File system size", ["agent", "mount"])
        fs_used = gauge("filesystem_used_bytes", "File system space in use", ["agent", "mount"])
        tcp = gauge("tcp_connections", "TCP connections by state", ["agent", "state"])
        up = gauge("network_up", "1 when the interface is up", ["agent", "interface"])
        rates = {key: gauge(name, doc, ["agent", "interface"]) for key, (name, doc) in INTERFACE_RATES.items()}
        for frame in self.frames:
            agent = frame.get("host", "")
            _add(seen, [agent], frame.get("ts"))
            cpu_values = frame.get("cpu") or {}
            _add(cpu, [agent], cpu_values.get("percent"), 0.01)
            for mode in ("user", "system", "iowait", "steal"):
                _add(cpu_mode, [agent, mode], cpu_values.get(mode), 0.01)
            for window in ("1m", "5m", "15m"):
                _add(load, [agent, window], (frame.get("load") or {}).get(window))
            mem = frame.get("mem") or {}
            for kind in ("total", "available", "used"):
                _add(memory, [agent, kind], mem.get(kind))
            _add(swap, [agent], mem.get("swap_used"))
            for mount, usage in ((frame.get("disk") or {}).get("mounts") or {}).items():
                _add(fs_size, [agent, mount], usage.get("total"))
                _add(fs_used, [agent, mount], usage.get("used"))
            for state, count in ((frame.get("tcp") or {}).get("states") or {}).items():
                _add(tcp, [agent, state], count)
            for interface, nic in (frame.get("net") or {}).items():
                _add(up, [agent, interface], 1 if nic.get("up") else 0)
                for key, family in rates.items():
                    _add(family, [agent, interface], nic.get(key))
        yield from (seen, cpu, cpu_mode, load, memory, swap, fs_size, fs_used, tcp, up, *rates.values())


class CheckCollector:
    def collect(self):
        host_status = gauge("host_status", "1 for the host's current state", ["host", "status"])
        for name, status in Host.objects.values_list("name", "status"):
            for value in Status.values:
                host_status.add_metric([name, value], 1 if status == value else 0)
        labels = ["host", "check_id", "kind", "target"]
        up = gauge("check_up", "1 when the check's latest run passed (UP or DEGRADED)", labels)
        latency = gauge("check_latency_seconds", "Latency of the check's latest run", labels)
        loss = gauge("check_packet_loss_ratio", "Packet loss of the latest ping run", labels)
        last_run = gauge("check_last_run_timestamp_seconds", "When the check last ran", labels)
        for check in Check.objects.filter(enabled=True, last_checked_at__isnull=False).select_related("host"):
            values = [check.host.name, str(check.pk), check.kind, check.describe()]
            up.add_metric(values, 0 if check.status == Status.DOWN else 1)
            last_run.add_metric(values, check.last_checked_at.timestamp())
            if check.last_latency_ms is not None:
                latency.add_metric(values, check.last_latency_ms / 1000)
            if check.last_loss_pct is not None:
                loss.add_metric(values, check.last_loss_pct / 100)
        firing = gauge("alerts_firing", "Alerts firing now", ["severity"])
        counts = dict.fromkeys(("warning", "critical"), 0)
        for severity in Alert.objects.filter(state=AlertState.FIRING).values_list("rule__severity", flat=True):
            counts[severity] = counts.get(severity, 0) + 1
        for severity, count in counts.items():
            firing.add_metric([severity], count)
        yield from (host_status, up, latency, loss, last_run, firing)


def _unauthorized(message: str) -> HttpResponse:
    response = HttpResponse(message + "\n", status=401, content_type="text/plain")
    response["WWW-Authenticate"] = 'Bearer realm="metrics"'
    return response


@never_cache
@require_GET
def metrics(request):
    try:
        secret = token_from_header(request.headers.get("Authorization", ""))
        if secret is None:
            return _unauthorized("A token is needed: Authorization: Bearer <token>.")
        user_for_token(secret)
    except AuthenticationFailed as error:
        return _unauthorized(str(error.detail))
    frames = [json.loads(text) for text in sync_redis().hvals(latest_key())]
    registry = CollectorRegistry(auto_describe=False)
    registry.register(AgentCollector(frames))
    registry.register(CheckCollector())
    return HttpResponse(generate_latest(registry), content_type=CONTENT_TYPE_LATEST)
