"""A host's uptime over the last 24 hours and 30 days, for its page: the same ledger and
arithmetic as the status pages (status.ledger, status.uptime)."""

import time
from datetime import UTC, datetime

from status import ledger, uptime

WINDOWS = {"day": uptime.DAY, "month": 30 * uptime.DAY}


def host_uptime(host_id: int, now: float | None = None) -> dict[str, float | None]:
    """window -> uptime % (None before the host's first counted result)."""
    now = time.time() if now is None else now
    since = datetime.fromtimestamp(now - max(WINDOWS.values()) - 3600, UTC)
    checks = ledger.hours_of([host_id], since).get(host_id, {})
    first = ledger.first_results([host_id])
    return {
        name: uptime.total(uptime.period(h, now - span, now, first.get(c)) for c, h in checks.items()).uptime_pct
        for name, span in WINDOWS.items()
    }
