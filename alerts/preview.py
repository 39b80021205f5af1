"""What a rule would match now: each subject in its scope with the metric's current value.

The rule form shows it while a rule is written, so a threshold that matches every host (or
none) is seen before saving. Values are what the evaluator would read: agents' newest
frames and offline marks (Redis), hosts' latest check results and device ports (database).
"""

import json
from collections import defaultdict
from dataclasses import dataclass

from alerts.models import Scope
from alerts.readings import agent_readings, host_readings, port_readings
from alerts.rules import COMPARE
from core.contracts.metrics import ALERT_METRIC_BY_NAME
from core.redis_io.redis_clients import sync_redis
from monitor.models import Check, CheckResult, Host, Interface
from stats import streams
from stats.latest import latest_key

SHOWN = 50  # subjects listed; the counts cover all of them

# What a threshold is counted in, by metric: shown beside the threshold field.
UNITS = {"check_latency_ms": "ms", "throughput_bps": "bit/s", "iface_errors_ps": "/s", "iface_drops_ps": "/s",
         "port_errors_ps": "/s", "cert_days_left": "days", "ports_down": "ports", "flow_bps": "bit/s"}  # fmt: skip


def unit_of(metric_name: str) -> str:
    """The unit of a metric's threshold: "%", "ms", ...; "1 = yes" for the metrics that are 0 or 1."""
    metric = ALERT_METRIC_BY_NAME[metric_name]
    if metric.percent:
        return "%"
    if "1 when" in str(metric.label):
        return "1 = yes, 0 = no"
    return UNITS.get(metric_name, "")


@dataclass(frozen=True)
class Draft:
    """The part of a rule the preview needs (the form's values, not yet saved)."""

    metric: str
    comparison: str
    threshold: float
    scope: str = Scope.ALL
    host_id: int | None = None
    tag_id: int | None = None
    agent: str = ""


def hosts_in_scope(draft: Draft):
    hosts = Host.objects.all()
    if draft.scope == Scope.AGENT:
        return hosts.none()  # an agent's rule watches no host
    if draft.scope == Scope.HOST:
        return hosts.filter(pk=draft.host_id)
    if draft.scope == Scope.TAG:
        return hosts.filter(tags=draft.tag_id)
    return hosts


def agent_values(draft: Draft) -> dict[str, float]:
    """agent name -> the metric now, for the agents in scope (an agent is in a host or tag
    scope through the monitored host of its name)."""
    redis = sync_redis()
    if draft.metric == "agent_offline":
        offline = {name.decode() for name in redis.hkeys(streams.offline_key())}
        names = {name.decode() for name in redis.hkeys(latest_key())} | offline
        values = {name: float(name in offline) for name in names}
    else:
        values = {}
        for name, text in redis.hgetall(latest_key()).items():
            try:
                reading = agent_readings(json.loads(text)).get(draft.metric)
            except (ValueError, TypeError, AttributeError):
                continue  # not a frame: nothing to show for it
            if reading is not None:
                values[name.decode()] = reading
    if draft.scope == Scope.AGENT:
        values = {name: value for name, value in values.items() if name == draft.agent}
    elif draft.scope != Scope.ALL:
        wanted = set(hosts_in_scope(draft).values_list("name", flat=True))
        values = {name: value for name, value in values.items() if name in wanted}
    return values


def host_values(draft: Draft) -> dict[str, float]:
    """host name -> the metric now, for the hosts in scope that have it."""
    hosts = {host.pk: host for host in hosts_in_scope(draft).only("pk", "name", "status")}
    latencies, losses, cert_days = defaultdict(list), defaultdict(list), defaultdict(list)
    checks = Check.objects.filter(host_id__in=hosts, enabled=True)
    for host_id, latency, loss in checks.values_list("host_id", "last_latency_ms", "last_loss_pct"):
        if latency is not None:
            latencies[host_id].append(latency)
        if loss is not None:
            losses[host_id].append(loss)
    if draft.metric == "cert_days_left":
        for check in checks.filter(kind="http"):
            latest = CheckResult.objects.filter(host_check=check).values_list("details", flat=True).first()
            if latest and (days := latest.get("cert_days_left")) is not None:
                cert_days[check.host_id].append(days)
    ports = defaultdict(list)
    for interface in Interface.objects.filter(host_id__in=hosts):
        ports[interface.host_id].append(interface)
    values = {}
    for pk, host in hosts.items():
        readings = host_readings(host.status, latencies[pk], losses[pk], cert_days[pk])
        if ports[pk]:
            readings |= port_readings(ports[pk])
        if (value := readings.get(draft.metric)) is not None:
            values[host.name] = value
    return values


def preview(draft: Draft) -> dict:
    """{"unit", "matching", "in_scope", "subjects": [{"name", "value", "matches"}]}, matching first."""
    metric = ALERT_METRIC_BY_NAME[draft.metric]
    values = agent_values(draft) if metric.subject == "agent" else host_values(draft)
    compare = COMPARE[draft.comparison]
    subjects = [{"name": name, "value": value, "matches": compare(value, draft.threshold)}
                for name, value in values.items()]  # fmt: skip
    subjects.sort(key=lambda s: (not s["matches"], s["name"]))
    matching = sum(1 for s in subjects if s["matches"])
    return {
        "unit": unit_of(draft.metric),
        "matching": matching,
        "in_scope": len(subjects),
        "subjects": subjects[:SHOWN],
    }
