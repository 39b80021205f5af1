"""Live frames about monitored hosts, and the groups they go to.

Published after each saved batch of check results (core.signals.results_recorded):

- `stats` (every dashboard): `{"type": "hosts", "hosts": [<host summary>, ...]}`
  whenever a batch of results changes hosts' state or latency.
- `host.<id>` (pages showing that host): `{"type": "check_results", "host": <id>,
  "results": [<result>, ...]}` with every field of each result.
"""

import json
from collections import defaultdict

from core.groups import STATS_FRAME, STATS_GROUP, host_group
from core.publisher import Frame, publisher
from monitor.models import CheckResult, Host
from monitor.results import Recorded


def _iso(value) -> str | None:
    return value.isoformat() if value else None


def host_summary(host: Host, tags: list[str]) -> dict:
    return {
        "id": host.id,
        "name": host.name,
        "address": host.address,
        "tags": sorted(tags),
        "status": host.status,
        "latency_ms": host.last_latency_ms,
        "changed_at": _iso(host.status_changed_at),
        "checked_at": _iso(host.last_checked_at),
    }


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
    summaries = [host_summary(h, recorded.tags.get(h.id, [])) for h in recorded.hosts]
    out = [(STATS_GROUP, STATS_FRAME, json.dumps({"type": "hosts", "hosts": summaries}))]
    per_host = defaultdict(list)
    for result in recorded.results:
        per_host[result.host_id].append(result_fields(result))
    statuses = {h.id: h.status for h in recorded.hosts}
    for host_id, results in per_host.items():
        frame = {"type": "check_results", "host": host_id, "status": statuses.get(host_id), "results": results}
        out.append((host_group(host_id), STATS_FRAME, json.dumps(frame)))
    return out


def publish_results(sender, recorded: Recorded, **kwargs) -> None:
    """To the dashboards, after each saved batch. When Redis is away the results are saved;
    the pages catch up with the next batch, or from /hosts/grid.json when they reconnect."""
    publisher().publish(frames(recorded))
