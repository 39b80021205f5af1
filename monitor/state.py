"""How results become states. Pure functions, tested directly."""

from collections.abc import Iterable

from monitor.checks.base import Outcome
from monitor.models import Status

# Worst first: a host is as bad as its worst check.
SEVERITY = [Status.DOWN, Status.DEGRADED, Status.UNKNOWN, Status.UP, Status.PENDING]


def result_status(outcome: Outcome, degraded_latency_ms: float | None, degraded_loss_pct: float | None) -> Status:
    """DOWN on any error; DEGRADED when slower or lossier than the check's thresholds; else UP."""
    if outcome.error:
        return Status.DOWN
    return Status.DEGRADED if degraded_reason(outcome, degraded_latency_ms, degraded_loss_pct) else Status.UP


def host_status(enabled: bool, check_statuses: Iterable[str]) -> Status:
    """PAUSED when disabled; otherwise the worst status of its enabled checks (PENDING without results)."""
    if not enabled:
        return Status.PAUSED
    statuses = set(check_statuses)
    for status in SEVERITY:
        if status in statuses:
            return status
    return Status.PENDING


def site_vote(site_statuses: Iterable[str], quorum: int | None = None) -> Status:
    """The state of a check run from several sites, from each site's latest state.

    DOWN only when at least `quorum` sites (default: more than half) find it DOWN: one
    site that cannot reach a target may have lost its own link. A site without a state
    (its probe offline, no result yet) counts as UNKNOWN; when those could still make
    the quorum, or every site is unknown, the check is UNKNOWN rather than UP.
    """
    statuses = list(site_statuses)
    needed = quorum or len(statuses) // 2 + 1
    down = statuses.count(Status.DOWN)
    unknown = sum(status not in (Status.UP, Status.DEGRADED, Status.DOWN) for status in statuses)
    if down >= needed:
        return Status.DOWN
    if unknown == len(statuses) or (down and down + unknown >= needed):
        return Status.UNKNOWN
    return Status.DEGRADED if Status.DEGRADED in statuses else Status.UP


def degraded_reason(outcome: Outcome, degraded_latency_ms: float | None, degraded_loss_pct: float | None) -> str:
    """Why a result is DEGRADED, in words; empty when it is not."""
    reasons = []
    if degraded_latency_ms is not None and outcome.latency_ms is not None and outcome.latency_ms > degraded_latency_ms:
        reasons.append(f"latency {outcome.latency_ms:.1f} ms > {degraded_latency_ms:g} ms")
    if degraded_loss_pct is not None and outcome.loss_pct is not None and outcome.loss_pct > degraded_loss_pct:
        reasons.append(f"loss {outcome.loss_pct:.0f}% > {degraded_loss_pct:g}%")
    return "; ".join(reasons)
