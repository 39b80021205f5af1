"""Claimed slots whose run never reported: recorded as missed, once, and replaced by a late result."""

from datetime import timedelta

from django.test import override_settings

from monitor import missed
from monitor.checks.base import Outcome
from monitor.models import Check, CheckResult, ClaimedSlot, Host, ResultStatus, Status
from monitor.results import save_results
from monitor.scheduling import claim_due_checks
from tests.monitor.conftest import T0
from tests.monitor.test_scheduling import _finished

GRACE_S = 30


def claim_all() -> list:
    return claim_due_checks(T0, horizon_s=2, limit=100)


@override_settings(CHECK_MISSED_AFTER_S=GRACE_S)
def test_a_claim_is_written_down_with_its_deadline_and_settled_by_its_result(due_checks):
    (check,) = due_checks(1)
    (claim,) = claim_all()
    ledger = ClaimedSlot.objects.get()
    assert (ledger.host_check_id, ledger.slot) == (check.pk, T0)
    assert ledger.deadline == T0 + timedelta(seconds=check.timeout_s + GRACE_S)

    save_results([_finished(check, Outcome(latency_ms=1.0), claim.due)])
    assert not ClaimedSlot.objects.exists()
    assert missed.record_overdue(T0 + timedelta(hours=1)) == 0
    assert list(CheckResult.objects.values_list("status", flat=True)) == [ResultStatus.UP]


@override_settings(CHECK_MISSED_AFTER_S=GRACE_S)
def test_an_unanswered_claim_becomes_one_missed_result_after_its_deadline_and_no_state_changes(due_checks):
    checks = due_checks(2)
    claim_all()
    deadline = ClaimedSlot.objects.first().deadline
    assert missed.record_overdue(deadline) == 0  # not before its deadline
    assert missed.record_overdue(deadline + timedelta(seconds=1)) == 2
    results = CheckResult.objects.order_by("host_check_id")
    assert [(r.host_check_id, r.scheduled_at, r.status) for r in results] == [
        (check.pk, T0, ResultStatus.MISSED) for check in checks
    ]
    assert results[0].error == f"not run: no checks worker reported this slot within {5 + GRACE_S} s"
    assert not ClaimedSlot.objects.exists()
    assert missed.record_overdue(deadline + timedelta(hours=1)) == 0  # once
    # A missed slot is not an outage: the checks and the host keep their state.
    assert set(Check.objects.values_list("status", flat=True)) == {Status.PENDING}
    assert Host.objects.get().status == Status.PENDING


def test_a_late_real_result_replaces_the_missed_one(due_checks):
    (check,) = due_checks(1)
    (claim,) = claim_all()
    missed.record_overdue(T0 + timedelta(hours=1))
    save_results([_finished(check, Outcome(error="connection refused"), claim.due)])
    (result,) = CheckResult.objects.all()
    assert (result.scheduled_at, result.status, result.error) == (T0, ResultStatus.DOWN, "connection refused")
    assert Check.objects.get().status == Status.DOWN


def test_claims_of_a_check_disabled_meanwhile_are_dropped_without_a_result(due_checks):
    first, second = due_checks(2)
    claim_all()
    Check.objects.filter(pk=first.pk).update(enabled=False)
    assert missed.record_overdue(T0 + timedelta(hours=1)) == 1
    assert list(CheckResult.objects.values_list("host_check_id", flat=True)) == [second.pk]
    assert not ClaimedSlot.objects.exists()


def test_settling_deletes_only_the_exact_pairs(due_checks):
    first, second = due_checks(2)
    claim_all()
    later = T0 + timedelta(seconds=30)
    ClaimedSlot.objects.create(host_check=first, slot=later, deadline=later)
    # (first, T0) and (second, later) are settled; (second, T0) and (first, later) are not.
    missed.settle({(first.pk, T0), (second.pk, later)})
    assert set(ClaimedSlot.objects.values_list("host_check_id", "slot")) == {(second.pk, T0), (first.pk, later)}
