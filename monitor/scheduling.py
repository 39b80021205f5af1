"""When checks run, and how the dispatcher claims them without running one twice or skipping one.

Each check has a phase inside its interval (spread by its id), so 2,000 checks
imported at once do not all fire in the same second after their first run. The
dispatcher claims a check by moving its `next_run_at` to the following slot in
the same transaction that reads it; a second dispatcher, or one restarted after
a crash, finds it already moved. The claimed slot travels with the run and is
unique per check among the results. Each claim is also written down (ClaimedSlot)
until its result is saved: one whose worker died is recorded as missed (monitor.missed).
"""

import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef

from monitor.models import Check, ClaimedSlot
from netmon_probe.slots import phase


@dataclass(frozen=True)
class Claim:
    check_id: int
    due: float  # unix seconds
    interval_s: int


def next_due(due: float, now: float, interval_s: float, phase_s: float) -> float:
    """The slot after `due`: on the check's phase, at least half an interval later.

    When the dispatcher was down and `due` lies far back, the missed slots are not
    replayed: the one late run happens now and the next slot follows `now`.
    """
    start = max(due, now) + interval_s / 2
    slots = math.ceil((start - phase_s) / interval_s)
    return phase_s + slots * interval_s


def claim_due_checks(
    now: datetime, horizon_s: float, limit: int, send: Callable[[list[Claim]], None] = lambda claims: None
) -> list[Claim]:
    """Claim up to `limit` enabled checks due before now + horizon and hand them to `send`.

    `send` runs inside the claiming transaction: if it fails (the broker is down),
    the claims roll back and the checks stay due for the next dispatcher run.
    """
    with transaction.atomic():
        # PostgreSQL: rows another dispatcher holds are skipped, not waited for.
        # SQLite: the IMMEDIATE transaction already holds the database's write lock.
        due = list(
            Check.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(enabled=True, host__enabled=True, next_run_at__lte=now + timedelta(seconds=horizon_s))
            .filter(~Exists(Check.sites.through.objects.filter(check_id=OuterRef("pk"))))  # sites' probes run those
            .order_by("next_run_at")
            .only("id", "interval_s", "timeout_s", "next_run_at")[:limit]
        )
        if not due:
            return []
        claims, ledger = [], []
        now_s = now.timestamp()
        for check in due:
            slot = check.next_run_at.timestamp()
            claims.append(Claim(check.id, slot, check.interval_s))
            ledger.append(claimed_slot(check, slot))
            following = next_due(slot, now_s, check.interval_s, phase(check.id, check.interval_s))
            check.next_run_at = datetime.fromtimestamp(following, UTC)
        Check.objects.bulk_update(due, ["next_run_at"], batch_size=500)
        ClaimedSlot.objects.bulk_create(ledger, batch_size=500, ignore_conflicts=True)
        send(claims)
        return claims


def claimed_slot(check: Check, slot: float) -> ClaimedSlot:
    """The ledger row of a claim: given up on `CHECK_MISSED_AFTER_S` after the run's timeout."""
    at = datetime.fromtimestamp(slot, UTC)  # the slot exactly as its result records it
    deadline = at + timedelta(seconds=check.timeout_s + settings.CHECK_MISSED_AFTER_S)
    return ClaimedSlot(host_check_id=check.id, slot=at, deadline=deadline)
