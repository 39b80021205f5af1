"""A probe's results into the check results, exactly once: saved with the probe's stream position.

Entries at or before the saved position were written before (a restarted intake reads
them again) and are skipped; a (check, site, slot) saved twice is kept once. Only checks
assigned to the probe's site are taken. The slots the new results touch go to history and
the uptime ledger voted across the check's sites (probes.slot_votes), in the same transaction. An SNMP
check's poll records the device and its ports as a poll of the centre's does.
"""

import logging
from collections import defaultdict
from datetime import UTC, datetime

from django.db import transaction

from core.contracts import signals
from core.rows import insert_new, update_fields
from monitor import state
from monitor.devices import ports
from monitor.models import Check, CheckResult, Host
from monitor.results import Recorded, derive_hosts
from probes import slot_votes, voting
from probes.entries import SiteRun
from probes.models import Probe, SiteCheckState
from stats.streams import entry_position

logger = logging.getLogger(__name__)


def at(ts: float) -> datetime:
    return datetime.fromtimestamp(ts, UTC)


class Fenced(Exception):
    """A probes process with a newer lease on the probe's stream wrote it: this one no longer owns it."""


def fence(probe: Probe, token: int | None) -> None:
    """Refuse a batch read under a lease older than the last writer's (Fenced); else record the lease.

    For the results and the datagram stream alike: one probes process owns both."""
    if token is not None:
        if token < probe.lease_token:
            raise Fenced(probe.name)
        probe.lease_token = token


def save(name: str, entries: list[tuple[str, SiteRun | None]], token: int | None = None) -> tuple[int, Recorded]:
    """Save a probe's entries (stream id, parsed entry) in one transaction, with its position.

    `token`: the lease on its stream (stats.shards.leases) under which they were read; one
    older than the last writer's raises Fenced. Returns how many results were new, and
    what changed for the apps above.
    """
    with transaction.atomic():
        probe = Probe.objects.select_for_update().filter(name=name).first()
        if probe is None:
            return 0, Recorded([], [], {})  # revoked meanwhile
        fence(probe, token)
        done = entry_position(probe.stream_position)
        fresh = [(entry_id, entry) for entry_id, entry in entries if entry_position(entry_id) > done]
        if not fresh:
            return 0, Recorded([], [], {})
        runs = [entry for _, entry in fresh if entry is not None]
        clocks = [(entry_id, entry.sent) for entry_id, entry in fresh if entry is not None and entry.sent is not None]
        results, voted, withdrawn = _results(probe, runs)
        _remember_states(probe.site_id, results)
        interfaces = ports.record(_device_polls(runs, results))
        # history and uptime, in this transaction
        signals.results_saved.send(sender=Check, results=voted, withdrawn=withdrawn, interfaces=interfaces)
        checks = voting.vote({r.host_check_id for r in results})
        hosts = derive_hosts({c.host_id for c in checks})
        probe.stream_position = fresh[-1][0]
        if runs:
            probe.last_seen = at(max(run.started for run in runs))
        if clocks:
            entry_id, sent = clocks[-1]  # the entry's id is Redis's clock as it took the entry
            probe.clock_skew_s = round(sent - entry_position(entry_id)[0] / 1000, 3)
        probe.save(update_fields=["stream_position", "lease_token", "last_seen", "clock_skew_s"])
    # The live frames and alert rules need each check's newest result, not an outage's backlog.
    newest = {r.host_check_id: r for r in sorted(results, key=lambda r: r.scheduled_at)}
    tags = defaultdict(list)
    for host_id, tag in Host.tags.through.objects.filter(host_id__in={h.pk for h in hosts}).values_list(
        "host_id", "tag__name"
    ):
        tags[host_id].append(tag)
    return len(results), Recorded(list(newest.values()), hosts, tags, interfaces)


def _results(probe: Probe, runs: list[SiteRun]) -> tuple[list[CheckResult], list[CheckResult], list[CheckResult]]:
    """The new results; and the slots' voted results to count, and those they replace (probes.slot_votes)."""
    # Locked, in one order: another probes process saving another site's results of these checks
    # waits, so each sees the other's results when it votes their slots (probes.slot_votes).
    taken = Check.objects.filter(pk__in={r.check_id for r in runs}, sites=probe.site_id)
    checks = {c.pk: c for c in taken.select_for_update(of=("self",)).order_by("pk")}
    results = []
    for run in runs:
        check = checks.get(run.check_id)
        if check is None:
            continue  # not (or no longer) this site's: refused
        status = state.result_status(run.outcome, check.degraded_latency_ms, check.degraded_loss_pct)
        reason = run.outcome.error or state.degraded_reason(
            run.outcome, check.degraded_latency_ms, check.degraded_loss_pct
        )
        results.append(
            CheckResult(
                host_check=check,
                host_id=check.host_id,
                site_id=probe.site_id,
                scheduled_at=at(run.slot),
                started_at=at(run.started),
                status=status,
                latency_ms=run.outcome.latency_ms,
                loss_pct=run.outcome.loss_pct,
                jitter_ms=run.outcome.jitter_ms,
                error=reason[:500],
                details=run.outcome.details,
            )
        )
    before = slot_votes.earlier(results)
    results = slot_votes.new_results(results, before)
    insert_new(results)  # two probes of one site may run a check's slot alike: the constraint keeps one
    voted, withdrawn = slot_votes.changes(results, before, checks)
    return results, voted, withdrawn


def _device_polls(runs: list[SiteRun], results: list[CheckResult]) -> list[ports.Polled]:
    """The SNMP polls of the runs saved, for recording as the centre's own are (monitor.devices.ports)."""
    saved = {(r.host_check_id, r.scheduled_at): r.host_id for r in results}
    polls = {}
    for run in runs:
        host_id = saved.get((run.check_id, at(run.slot)))
        if run.outcome.device is not None and host_id is not None:
            polls.setdefault((run.check_id, run.slot), ports.Polled(host_id, run.started, run.outcome.device))
    return list(polls.values())


def _remember_states(site_id: int, results: list[CheckResult]) -> None:
    """Each check's newest result from this site becomes the site's state for it."""
    newest: dict[int, CheckResult] = {}
    for result in results:
        if result.host_check_id not in newest or result.scheduled_at > newest[result.host_check_id].scheduled_at:
            newest[result.host_check_id] = result
    known = {s.host_check_id: s for s in SiteCheckState.objects.filter(site_id=site_id, host_check_id__in=newest)}
    new, changed = [], []
    for check_id, result in newest.items():
        state = known.get(check_id) or SiteCheckState(host_check_id=check_id, site_id=site_id, slot=result.scheduled_at)
        if state.pk is not None and state.slot >= result.scheduled_at:
            continue  # an older result, delivered late: the state is newer
        state.status, state.slot, state.latency_ms = result.status, result.scheduled_at, result.latency_ms
        state.loss_pct, state.error = result.loss_pct, result.error
        (changed if state.pk else new).append(state)
    SiteCheckState.objects.bulk_create(new, batch_size=500)
    update_fields(changed, ["status", "slot", "latency_ms", "loss_pct", "error"])
