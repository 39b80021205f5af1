"""The slots of checks run from sites, voted: what history and the uptime ledger take of the probes' results.

Several sites run a check in the same slot, each probe sending its result in its own time.
The ledger counts a slot once, in the check's state (monitor.state.site_vote), not once
per site: so every slot a batch touches is voted from all the results its sites sent so
far, a site without one voting UNKNOWN (as an offline probe does), and an UNKNOWN slot is
not counted (unknown time, status.uptime). A later site's result that changes a slot's
vote withdraws the earlier vote from the ledger; history is written at the slot's second,
where the later value wins.

History keeps the check's own series (what its charts, CSV and alert previews read, as
for a central check): up from the voted state, latency and loss the median of the sites
that measured them. Each site's own figures stay in its results (CheckResult.site).
"""

from collections import defaultdict
from dataclasses import dataclass
from statistics import median_low

from monitor.models import Check, CheckResult, Status
from monitor.state import site_vote

COUNTED = (Status.UP, Status.DEGRADED, Status.DOWN)

SlotKey = tuple[int, object]  # check id, slot (datetime)


@dataclass(frozen=True)
class Reading:
    status: str
    latency_ms: float | None
    loss_pct: float | None


def earlier(results: list[CheckResult]) -> dict[SlotKey, dict[int, Reading]]:
    """(check, slot) -> site -> what that site sent before, for the slots of `results`."""
    if not results:
        return {}
    slots = {(r.host_check_id, r.scheduled_at) for r in results}
    found: dict[SlotKey, dict[int, Reading]] = defaultdict(dict)
    rows = CheckResult.objects.filter(
        host_check_id__in={check for check, _ in slots},
        site__isnull=False,
        scheduled_at__gte=min(slot for _, slot in slots),
        scheduled_at__lte=max(slot for _, slot in slots),
    ).values_list("host_check_id", "scheduled_at", "site_id", "status", "latency_ms", "loss_pct")
    for check_id, slot, site_id, status, latency, loss in rows:
        if (check_id, slot) in slots:
            found[check_id, slot][site_id] = Reading(status, latency, loss)
    return found


def new_results(results: list[CheckResult], before: dict[SlotKey, dict[int, Reading]]) -> list[CheckResult]:
    """The results whose site has none for their slot yet; of two in one batch, the first."""
    seen, new = set(), []
    for result in results:
        key = (result.host_check_id, result.scheduled_at, result.site_id)
        if key not in seen and result.site_id not in before.get(key[:2], {}):
            seen.add(key)
            new.append(result)
    return new


def changes(
    new: list[CheckResult], before: dict[SlotKey, dict[int, Reading]], checks: dict[int, Check]
) -> tuple[list[CheckResult], list[CheckResult]]:
    """(the slots' votes now, the earlier votes they replace), as results of the check without a site."""
    after: dict[SlotKey, dict[int, Reading]] = {}
    for result in new:
        key = (result.host_check_id, result.scheduled_at)
        if key not in after:
            after[key] = dict(before.get(key, {}))
        after[key][result.site_id] = Reading(result.status, result.latency_ms, result.loss_pct)
    sites = site_counts(checks)
    voted, withdrawn = [], []
    for (check_id, slot), readings in after.items():
        check = checks[check_id]
        earlier_readings = before.get((check_id, slot))
        old = slot_result(check, slot, earlier_readings, sites[check_id]) if earlier_readings else None
        now = slot_result(check, slot, readings, sites[check_id])
        if same(old, now):
            continue
        withdrawn += [old] if old else []
        voted += [now] if now else []
    return voted, withdrawn


def site_counts(checks: dict[int, Check]) -> dict[int, int]:
    counts: dict[int, int] = defaultdict(int)
    for check_id in Check.sites.through.objects.filter(check_id__in=list(checks)).values_list("check_id", flat=True):
        counts[check_id] += 1
    return counts


def slot_result(check: Check, slot, readings: dict[int, Reading], sites: int) -> CheckResult | None:
    """The slot as one result of the check in its voted state; None while the vote is UNKNOWN."""
    statuses = [reading.status for reading in readings.values()]
    status = site_vote(statuses + [Status.UNKNOWN] * max(0, sites - len(statuses)), check.quorum)
    if status not in COUNTED:
        return None
    return CheckResult(
        host_check=check,  # cached: receivers read the check without a query
        host_id=check.host_id,
        scheduled_at=slot,
        started_at=slot,  # the slot's second: a re-voted slot overwrites its history there
        status=status,
        latency_ms=_median([reading.latency_ms for reading in readings.values()]),
        loss_pct=_median([reading.loss_pct for reading in readings.values()]),
    )


def _median(values: list[float | None]) -> float | None:
    measured = [value for value in values if value is not None]
    return median_low(measured) if measured else None


def same(a: CheckResult | None, b: CheckResult | None) -> bool:
    if a is None or b is None:
        return a is b
    return (a.status, a.latency_ms, a.loss_pct) == (b.status, b.latency_ms, b.loss_pct)
