"""A check run from several sites: its state from each site's latest result, voted (monitor.state.site_vote).

A site whose probes are all offline votes UNKNOWN, so a dead probe leaves its checks
UNKNOWN instead of DOWN.
"""

from collections import defaultdict
from collections.abc import Iterable
from datetime import UTC, datetime

from core.rows import update_fields
from monitor.models import Check, Status
from monitor.state import site_vote
from probes.models import Probe, SiteCheckState


def online_sites() -> set[int]:
    return set(Probe.objects.filter(online=True).values_list("site_id", flat=True))


def vote(check_ids: Iterable[int]) -> list[Check]:
    """Set the state of each check from its sites' states; returns the checks, saved."""
    # In the order probes.recording locks them: the two never wait for each other crosswise.
    checks = list(Check.objects.filter(pk__in=set(check_ids)).order_by("pk"))
    sites = defaultdict(list)
    for check_id, site_id in Check.sites.through.objects.filter(check_id__in=[c.pk for c in checks]).values_list(
        "check_id", "site_id"
    ):
        sites[check_id].append(site_id)
    states = {
        (s.host_check_id, s.site_id): s
        for s in SiteCheckState.objects.filter(host_check__in=checks).select_related("site")
    }
    online = online_sites()
    for check in checks:
        voters = [states.get((check.pk, site)) if site in online else None for site in sites[check.pk]]
        status = site_vote([state.status if state else Status.UNKNOWN for state in voters], check.quorum)
        if status != check.status:
            check.status_changed_at = datetime.now(UTC)
        check.status = status
        known = [state for state in voters if state is not None]
        down = [state for state in known if state.status == Status.DOWN]
        check.last_error = "; ".join(f"{state.site.name}: {state.error}" for state in down)[:500]
        if known:
            newest = max(known, key=lambda state: state.slot)
            check.last_checked_at, check.last_latency_ms = newest.slot, newest.latency_ms
            check.last_loss_pct = newest.loss_pct
    fields = ["status", "status_changed_at", "last_error", "last_checked_at", "last_latency_ms", "last_loss_pct"]
    update_fields(checks, fields)
    return checks
