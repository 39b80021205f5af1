"""GET /metrics: the latest host, interface, check and device port metrics in Prometheus text format.

Agent values come from the latest frame of each agent in Redis, check values from
each check's latest state in the database. Names, labels and unit scales come from
the metric catalogue (core.contracts.metrics). Rates are exported as gauges, as the agents
compute them; units follow Prometheus conventions (seconds, bytes, ratios).
"""

import json

from django.http import HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from rest_framework.exceptions import AuthenticationFailed, Throttled

from alerts.models import Alert, AlertState
from api.auth import token_from_header, user_for_token
from core.contracts.metrics import (
    FAMILIES,
    FRAME_METRICS,
    METRICS,
    PORT_FIELDS,
    PORT_METRICS,
    Metric,
    frame_values,
    is_number,
)
from core.redis_io.redis_clients import sync_redis
from monitor.devices.models import Interface
from monitor.models import Check, Host, Status
from stats import rejected
from stats.latest import latest_key


def gauge(name: str, documentation: str, labels: list[str]) -> GaugeMetricFamily:
    return GaugeMetricFamily(f"netmon_{name}", documentation, labels=labels)


class AgentCollector:
    """Every exported frame metric of the catalogue, from each agent's latest frame."""

    def __init__(self, frames: list[dict]) -> None:
        self.frames = frames

    def collect(self):
        seen = gauge("agent_last_sample_timestamp_seconds", "When the agent last sampled its host", ["agent"])
        families: dict[str, GaugeMetricFamily] = {}
        exported = [metric for metric in FRAME_METRICS if metric.export is not None]
        for metric in exported:
            if metric.export.family not in families:
                labels = ["agent", *(key for key, _ in metric.export.labels), *([metric.per] if metric.per else [])]
                families[metric.export.family] = gauge(metric.export.family, FAMILIES[metric.export.family], labels)
        for frame in self.frames:
            agent = frame.get("host", "")
            if is_number(frame.get("ts")):
                seen.add_metric([agent], frame["ts"])
            for metric in exported:
                fixed = [value for _, value in metric.export.labels]
                for label, value in frame_values(frame, metric):
                    # A collector that failed this tick leaves its values out.
                    if value is not None:
                        per = [label] if metric.per else []
                        families[metric.export.family].add_metric([agent, *fixed, *per], value * metric.export.scale)
        yield from (seen, *families.values())


class RejectedCollector:
    """Each agent's stream entries the ingest set aside, per reason (stats.frame_checks)."""

    def collect(self):
        family = CounterMetricFamily(
            "netmon_agent_rejected_entries", "Stream entries set aside instead of written", labels=["agent", "reason"]
        )
        for (agent, reason), count in sorted(rejected.counts().items()):
            family.add_metric([agent, reason], count)
        yield family


class CheckCollector:
    def collect(self):
        host_status = gauge("host_status", "1 for the host's current state", ["host", "status"])
        for name, status in Host.objects.values_list("name", "status"):
            for value in Status.values:
                host_status.add_metric([name, value], 1 if status == value else 0)
        labels = ["host", "check_id", "kind", "target"]
        up, latency, loss = (_check_family(name, labels) for name in ("check.up", "check.latency_ms", "check.loss_pct"))
        last_run = gauge("check_last_run_timestamp_seconds", "When the check last ran", labels)
        for check in Check.objects.filter(enabled=True, last_checked_at__isnull=False).select_related("host"):
            values = [check.host.name, str(check.pk), check.kind, check.describe()]
            up.add(values, 0 if check.status == Status.DOWN else 1)
            last_run.add_metric(values, check.last_checked_at.timestamp())
            latency.add(values, check.last_latency_ms)
            loss.add(values, check.last_loss_pct)
        firing = gauge("alerts_firing", "Alerts firing now", ["severity"])
        counts = dict.fromkeys(("warning", "critical"), 0)
        for severity in Alert.objects.filter(state=AlertState.FIRING).values_list("rule__severity", flat=True):
            counts[severity] = counts.get(severity, 0) + 1
        for severity, count in counts.items():
            firing.add_metric([severity], count)
        yield from (host_status, up.family, latency.family, loss.family, last_run, firing)


class _CheckFamily:
    """A check metric's family, taking readings in the catalogue's unit and scaling them."""

    def __init__(self, metric: Metric, labels: list[str]) -> None:
        self.scale = metric.export.scale
        self.family = gauge(metric.export.family, FAMILIES[metric.export.family], labels)

    def add(self, labels: list[str], reading: float | None) -> None:
        if reading is not None:
            self.family.add_metric(labels, reading * self.scale)


def _check_family(name: str, labels: list[str]) -> _CheckFamily:
    return _CheckFamily(METRICS[name], labels)


class PortCollector:
    """Every polled port of every SNMP device, as its latest poll left it."""

    def collect(self):
        labels = ["host", "port", "ifindex"]
        families = {metric.name: _CheckFamily(metric, labels) for metric in PORT_METRICS}
        interfaces = Interface.objects.select_related("host").order_by("host__name", "index")
        for interface in interfaces.iterator(chunk_size=2000):
            values = [interface.host.name, interface.name, str(interface.index)]
            families["port.up"].add(values, 1 if interface.oper_status == "up" else 0)
            for metric, field in PORT_FIELDS.items():
                families[metric].add(values, getattr(interface, field))
        yield from (family.family for family in families.values())


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
        user_for_token(secret, request)
    except AuthenticationFailed as error:
        return _unauthorized(str(error.detail))
    except Throttled as error:
        return HttpResponse(str(error.detail), status=429, content_type="text/plain")
    frames = [json.loads(text) for text in sync_redis().hvals(latest_key())]
    registry = CollectorRegistry(auto_describe=False)
    registry.register(AgentCollector(frames))
    registry.register(RejectedCollector())
    registry.register(CheckCollector())
    registry.register(PortCollector())
    return HttpResponse(generate_latest(registry), content_type=CONTENT_TYPE_LATEST)
