"""A checks worker SIGKILLed while it holds claimed slots: each slot gets one result, none is lost or run twice."""

import itertools
import os
import signal
from datetime import timedelta

import pytest
from django.utils import timezone

from monitor.models import Check, CheckResult, ClaimedSlot, Host, ResultStatus
from monitor.tasks import DISPATCH_HORIZON_S
from tests import processes, targets
from tests.servers import wait_for
from tests.waits import EVENT_TIMEOUT_S

pytestmark = pytest.mark.pipeline

INTERVAL_S = 5
GRACE_S = 2  # CHECK_MISSED_AFTER_S for the dispatcher: a lost slot is recorded 1 + 2 s after it


def results_by_check(checks: list[Check]) -> dict[int, list[CheckResult]]:
    return {c.pk: list(CheckResult.objects.filter(host_check=c).order_by("scheduled_at")) for c in checks}


def test_the_slots_a_killed_checks_worker_held_are_recorded_missed_and_the_rest_run_on_another(
    transactional_db, tmp_path
):
    listener = targets.Listener()
    host = Host.objects.create(name="worker-loss", address="127.0.0.1")
    checks = [
        Check.objects.create(host=host, kind="tcp", port=listener.port, interval_s=INTERVAL_S, timeout_s=1)
        for _ in range(3)
    ]
    try:
        with processes.together(
            processes.beat(tmp_path),
            processes.tasks_worker(processes.agent_name("dispatcher"), CHECK_MISSED_AFTER_S=str(GRACE_S)),
        ):
            with processes.checks_worker(processes.agent_name("doomed")) as doomed:
                wait_for(lambda: CheckResult.objects.filter(status=ResultStatus.UP).count() >= 3, 30, "first results")
                wait_for(processes.holds_a_claimed_run, EVENT_TIMEOUT_S, "a run in the worker's hands")
                os.kill(doomed.pid, signal.SIGKILL)
                killed = timezone.now()
            with processes.checks_worker(processes.agent_name("survivor")):
                # Every check runs twice more after the kill, on the surviving worker.
                wait_for(
                    lambda: all(
                        CheckResult.objects.filter(host_check=c, started_at__gt=killed, status=ResultStatus.UP).count()
                        >= 2
                        for c in checks
                    ),
                    EVENT_TIMEOUT_S,
                    "runs on the surviving worker",
                )
                # Every slot claimed before the kill (up to the claim horizon ahead) answered or missed.
                claimed_by_then = killed + timedelta(seconds=DISPATCH_HORIZON_S)
                wait_for(
                    lambda: not ClaimedSlot.objects.filter(slot__lte=claimed_by_then).exists(),
                    EVENT_TIMEOUT_S,
                    "the ledger settled",
                )
    finally:
        listener.close()

    lost = CheckResult.objects.filter(status=ResultStatus.MISSED)
    assert lost.exists(), "the killed worker held a run, so some slot went unanswered"
    assert all(r.scheduled_at <= claimed_by_then for r in lost)  # only what it held when killed
    assert all(r.error.startswith("not run: no checks worker reported this slot") for r in lost)
    for check_id, results in results_by_check(checks).items():
        slots = [r.scheduled_at for r in results]
        # After the immediate first run each check keeps its phase: one result per slot,
        # none skipped (the lost ones are there as MISSED), none twice.
        steps = {round((b - a).total_seconds(), 3) for a, b in itertools.pairwise(slots[1:])}
        assert steps == {float(INTERVAL_S)}, (check_id, [(r.scheduled_at, r.status) for r in results])
        assert results[-1].status == ResultStatus.UP
