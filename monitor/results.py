"""Recording finished check runs: results, each check's latest state, each host's derived state."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime

from django.db import close_old_connections, transaction

from core.contracts import signals
from core.rows import update_fields
from monitor import missed, state
from monitor.checks.base import CheckSpec, Outcome
from monitor.devices import ports
from monitor.models import Check, CheckResult, Host, ResultStatus

CHECK_FIELDS = ["status", "status_changed_at", "last_checked_at", "last_latency_ms", "last_loss_pct", "last_error"]
HOST_FIELDS = ["status", "status_changed_at", "last_checked_at", "last_latency_ms"]


@dataclass(frozen=True)
class Finished:
    spec: CheckSpec
    outcome: Outcome
    started: float  # unix seconds


@dataclass
class Recorded:
    """What a saved batch changed: the rows the live frames are built from."""

    results: list[CheckResult]
    hosts: list[Host]
    tags: dict[int, list[str]]
    interfaces: list = field(default_factory=list)  # the SNMP ports the batch polled (monitor.devices.models.Interface)


def save_results(finished: list[Finished]) -> Recorded:
    """Save a batch of runs in one transaction and derive the states they change.

    A run recorded before (a redelivered batch) is ignored by the unique
    (check, slot) constraint rather than counted twice; one recorded as MISSED in
    the meantime (its worker was slow, not dead) takes the MISSED result's place.
    """
    close_old_connections()  # this runs in a long-lived thread, outside any request
    finished = sorted(finished, key=lambda f: f.started)
    checks = {c.id: c for c in Check.objects.filter(pk__in={f.spec.id for f in finished})}
    results, devices = [], {}
    for run in finished:
        check = checks.get(run.spec.id)
        if check is None:
            continue  # deleted while it ran
        results.append(_record(check, run))
        if run.outcome.device is not None:
            devices[id(results[-1])] = ports.Polled(check.host_id, run.started, run.outcome.device)
    if not results:
        return Recorded([], [], {})
    host_ids = {r.host_id for r in results}
    with transaction.atomic():
        new = _not_recorded(results)
        missed.settle({(r.host_check_id, r.scheduled_at) for r in results})
        CheckResult.objects.bulk_create(new, ignore_conflicts=True)
        interfaces = ports.record([devices[id(r)] for r in new if id(r) in devices])
        # history and uptime, in this transaction
        signals.results_saved.send(sender=Check, results=new, interfaces=interfaces)
        update_fields(list({r.host_check_id: checks[r.host_check_id] for r in results}.values()), CHECK_FIELDS)
        hosts = derive_hosts(host_ids, {r.host_id: r for r in results})  # in start order: the last one wins
    tags = defaultdict(list)
    for host_id, name in Host.tags.through.objects.filter(host_id__in=host_ids).values_list("host_id", "tag__name"):
        tags[host_id].append(name)
    return Recorded(results, hosts, tags, interfaces)


def _not_recorded(results: list[CheckResult]) -> list[CheckResult]:
    """The results whose slot has no result yet, or only a MISSED one (deleted here).

    A redelivered batch is counted once.
    """
    recorded = {
        (check_id, slot): (pk, status)
        for pk, check_id, slot, status in CheckResult.objects.filter(
            host_check_id__in={r.host_check_id for r in results}, scheduled_at__in={r.scheduled_at for r in results}
        ).values_list("pk", "host_check_id", "scheduled_at", "status")
    }
    new, replaced = {}, []
    for result in results:
        key = (result.host_check_id, result.scheduled_at)
        earlier = recorded.get(key)
        if earlier is None or earlier[1] == ResultStatus.MISSED:
            if key not in new and earlier is not None:
                replaced.append(earlier[0])
            new.setdefault(key, result)  # two runs of one slot in one batch: the first is kept
    CheckResult.objects.filter(pk__in=replaced).delete()
    return list(new.values())


def _record(check: Check, run: Finished) -> CheckResult:
    outcome = run.outcome
    status = state.result_status(outcome, check.degraded_latency_ms, check.degraded_loss_pct)
    started = datetime.fromtimestamp(run.started, UTC)
    reason = outcome.error or state.degraded_reason(outcome, check.degraded_latency_ms, check.degraded_loss_pct)
    if status != check.status:
        check.status_changed_at = started
    check.status = status
    check.last_checked_at = started
    check.last_latency_ms = outcome.latency_ms
    check.last_loss_pct = outcome.loss_pct
    check.last_error = reason[:500]
    return CheckResult(
        host_check=check,  # cached: receivers read the check (its kind) without a query
        host_id=check.host_id,
        scheduled_at=datetime.fromtimestamp(run.spec.due or run.started, UTC),
        started_at=started,
        status=status,
        latency_ms=outcome.latency_ms,
        loss_pct=outcome.loss_pct,
        jitter_ms=outcome.jitter_ms,
        error=reason[:500],
        details=outcome.details,
    )


def derive_hosts(host_ids: set[int], latest: dict[int, CheckResult] | None = None) -> list[Host]:
    """Set each host's state from its enabled checks, and its latency from its `latest` result.

    Also called without results when checks were enabled, disabled or deleted.
    """
    statuses = defaultdict(list)
    enabled_checks = Check.objects.filter(host_id__in=host_ids, enabled=True).values_list("host_id", "status")
    for host_id, status in enabled_checks:
        statuses[host_id].append(status)
    latest = latest or {}
    hosts, changed = list(Host.objects.filter(pk__in=host_ids)), []
    for host in hosts:
        status = state.host_status(host.enabled, statuses[host.id])
        result = latest.get(host.id)
        if status != host.status:
            host.status_changed_at = result.started_at if result else datetime.now(UTC)
        elif not result:
            continue  # nothing of it changed (a probe's batch: its checks' states are voted)
        host.status = status
        if result:
            host.last_checked_at = result.started_at
            host.last_latency_ms = result.latency_ms
        changed.append(host)
    update_fields(changed, HOST_FIELDS)
    return hosts
