"""Slots that were claimed but never answered: recorded as missed, once each.

The dispatcher claims a slot by moving the check's `next_run_at` and writing a
ClaimedSlot in the same transaction; saving the slot's result deletes it in the
saving transaction. A claim still there past its deadline lost its run: the checks
worker holding it was killed, or the task expired unread with no worker running.
Such a slot gets a MISSED result rather than a gap, and is not run again, so a
worker that was only slow cannot make a slot run twice. If its real result arrives
after all, that result replaces the MISSED one (monitor.results).
"""

from datetime import datetime

from django.db import transaction

from monitor.models import CheckResult, ClaimedSlot, ResultStatus

SWEEP_LIMIT = 2_000  # claims per dispatcher tick; more wait for the next one


def record_overdue(now: datetime) -> int:
    """Give each claim past its deadline a MISSED result (none for a check disabled since); returns how many."""
    with transaction.atomic():
        overdue = list(
            ClaimedSlot.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(deadline__lt=now)
            .select_related("host_check__host")
            .order_by("deadline")[:SWEEP_LIMIT]
        )
        if not overdue:
            return 0
        missed = [
            CheckResult(
                host_check_id=claim.host_check_id,
                host_id=claim.host_check.host_id,
                scheduled_at=claim.slot,
                started_at=claim.slot,
                status=ResultStatus.MISSED,
                error=f"not run: no checks worker reported this slot within {reason_seconds(claim)} s",
            )
            for claim in overdue
            if claim.host_check.enabled and claim.host_check.host.enabled
        ]
        # A result saved meanwhile (its claim's deletion raced this read) keeps its slot.
        CheckResult.objects.bulk_create(missed, ignore_conflicts=True)
        ClaimedSlot.objects.filter(pk__in=[claim.pk for claim in overdue]).delete()
    return len(missed)


def reason_seconds(claim: ClaimedSlot) -> int:
    return round((claim.deadline - claim.slot).total_seconds())


def settle(pairs: set[tuple[int, datetime]]) -> None:
    """Delete the claims of these (check id, slot) pairs: their results are being saved."""
    if not pairs:
        return
    candidates = ClaimedSlot.objects.filter(
        host_check_id__in={check_id for check_id, _ in pairs}, slot__in={slot for _, slot in pairs}
    ).values_list("pk", "host_check_id", "slot")
    ClaimedSlot.objects.filter(pk__in=[pk for pk, check_id, slot in candidates if (check_id, slot) in pairs]).delete()
