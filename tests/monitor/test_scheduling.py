"""Slots, atomic claims and derived states."""

import itertools
import threading
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection

from core.contracts import signals
from monitor.checks.base import CheckSpec, Outcome
from monitor.models import Check, CheckResult, Host, Status
from monitor.results import Finished, save_results
from monitor.scheduling import claim_due_checks, next_due, phase
from monitor.state import host_status, result_status
from stats.history.metrics import check_source
from stats.history.query import stored_values
from stats.models import Series
from tests.monitor.conftest import T0


def test_next_slot_keeps_the_phase_and_the_interval():
    # Phase 5 s in a 30 s interval: slots at ..., 1025, 1055, 1085, ...
    assert next_due(due=1025.0, now=1024.0, interval_s=30, phase_s=5.0) == 1055.0
    assert next_due(due=1055.0, now=1053.5, interval_s=30, phase_s=5.0) == 1085.0


def test_a_new_check_runs_at_once_then_joins_its_phase_at_least_half_an_interval_later():
    assert next_due(due=1000.0, now=1000.0, interval_s=30, phase_s=5.0) == 1025.0
    assert next_due(due=1000.0, now=1000.0, interval_s=30, phase_s=20.0) == 1040.0


def test_missed_slots_are_not_replayed():
    # The dispatcher was down for ten minutes: one late run now, then the next slot after now.
    assert next_due(due=1025.0, now=1625.0, interval_s=30, phase_s=5.0) == 1655.0


def test_phases_spread_checks_across_the_interval():
    phases = sorted(phase(i, 30) for i in range(1, 301))
    gaps = [b - a for a, b in itertools.pairwise(phases)]
    assert max(gaps) < 0.5  # 300 checks in 30 s, none bunched behind a gap


def test_claiming_moves_each_check_to_its_next_slot(due_checks):
    checks = due_checks(3)
    claims = claim_due_checks(T0, horizon_s=2, limit=100)
    assert sorted(c.check_id for c in claims) == [c.id for c in checks]
    assert {c.due for c in claims} == {T0.timestamp()}
    assert claim_due_checks(T0, horizon_s=2, limit=100) == []  # nothing due twice
    for check in Check.objects.all():
        assert check.next_run_at > T0 + timedelta(seconds=14)


def test_disabled_checks_and_paused_hosts_are_not_claimed(due_checks):
    first, second = due_checks(2)
    Check.objects.filter(pk=first.pk).update(enabled=False)
    Host.objects.update(enabled=False)
    assert claim_due_checks(T0, horizon_s=2, limit=100) == []
    Host.objects.update(enabled=True)
    assert [c.check_id for c in claim_due_checks(T0, horizon_s=2, limit=100)] == [second.pk]


def test_a_failed_send_leaves_the_checks_due(due_checks):
    due_checks(2)

    def broker_down(claims):
        raise ConnectionError("broker down")

    with pytest.raises(ConnectionError):
        claim_due_checks(T0, horizon_s=2, limit=100, send=broker_down)
    assert len(claim_due_checks(T0, horizon_s=2, limit=100)) == 2


def test_two_dispatchers_claim_every_slot_exactly_once(due_checks):
    if connection.vendor == "sqlite" and connection.settings_dict["NAME"] == ":memory:":
        pytest.skip("needs a database shared between threads")
    due_checks(150)
    rounds = [T0 + timedelta(seconds=s) for s in range(0, 120, 1)]  # 4 intervals, a tick per second
    claimed: list[tuple[int, float]] = []
    lock = threading.Lock()
    start = threading.Barrier(2)

    def dispatcher() -> None:
        start.wait()
        try:
            for now in rounds:
                for claim in claim_due_checks(now, horizon_s=2, limit=40):  # small batches: more interleaving
                    with lock:
                        claimed.append((claim.check_id, claim.due))
        finally:
            connection.close()

    threads = [threading.Thread(target=dispatcher) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    doubled = [key for key, n in Counter(claimed).items() if n > 1]
    assert doubled == []
    per_check = Counter(check_id for check_id, _ in claimed)
    # 120 s of 30 s slots: the immediate first run plus one per phase slot.
    assert set(per_check.values()) <= {4, 5}
    assert len(per_check) == 150
    for check_id in per_check:
        dues = sorted(d for c, d in claimed if c == check_id)
        steps = {round(b - a, 6) for a, b in itertools.pairwise(dues[1:])}  # after the immediate first run
        assert steps <= {30.0}, f"check {check_id} skipped or doubled a slot: {dues}"


# --- states ------------------------------------------------------------------------------


def test_result_status_from_thresholds():
    assert result_status(Outcome(error="refused"), 100, None) == Status.DOWN
    assert result_status(Outcome(latency_ms=150), 100, None) == Status.DEGRADED
    assert result_status(Outcome(latency_ms=50, loss_pct=20), 100, 10) == Status.DEGRADED
    assert result_status(Outcome(latency_ms=50, loss_pct=0), 100, 10) == Status.UP
    assert result_status(Outcome(latency_ms=5000), None, None) == Status.UP


def test_host_status_is_its_worst_check():
    assert host_status(True, ["up", "degraded", "up"]) == Status.DEGRADED
    assert host_status(True, ["up", "down", "degraded"]) == Status.DOWN
    assert host_status(True, ["pending", "up"]) == Status.UP
    assert host_status(True, []) == Status.PENDING
    assert host_status(False, ["down"]) == Status.PAUSED


def _finished(check: Check, outcome: Outcome, at: float) -> Finished:
    return Finished(CheckSpec(check.id, check.host_id, check.kind, "127.0.0.1", 1.0, due=at), outcome, at)


def test_saving_results_derives_check_and_host_state(due_checks):
    tcp, http = due_checks(2)
    Check.objects.filter(pk=http.pk).update(degraded_latency_ms=100)
    t = T0.timestamp()
    recorded = save_results([_finished(tcp, Outcome(latency_ms=1.5), t), _finished(http, Outcome(latency_ms=250), t)])
    host = Host.objects.get()
    assert host.status == Status.DEGRADED
    assert Check.objects.get(pk=http.pk).last_error == "latency 250.0 ms > 100 ms"
    assert [h.status for h in recorded.hosts] == [Status.DEGRADED]

    save_results([_finished(tcp, Outcome(error="connection refused"), t + 30)])
    host.refresh_from_db()
    assert host.status == Status.DOWN
    assert host.status_changed_at == datetime.fromtimestamp(t + 30, UTC)
    assert Check.objects.get(pk=tcp.pk).last_error == "connection refused"


def test_a_redelivered_run_is_recorded_once(due_checks):
    (check,) = due_checks(1)
    run = _finished(check, Outcome(latency_ms=1.0), T0.timestamp())
    save_results([run])
    save_results([run])
    assert CheckResult.objects.count() == 1


def test_saved_results_reach_history_in_the_same_transaction(due_checks):
    (check,) = due_checks(1)
    t = T0.timestamp()
    save_results([_finished(check, Outcome(latency_ms=2.5), t), _finished(check, Outcome(error="refused"), t + 30)])
    points = {
        series.metric: stored_values(series.pk) for series in Series.objects.filter(source=check_source(check.id))
    }
    assert points["check.up"] == [(int(t), 1.0), (int(t) + 30, 0.0)]
    assert points["check.latency_ms"] == [(int(t), 2.5)]


def test_a_failing_history_write_rolls_the_results_back(due_checks):
    (check,) = due_checks(1)

    def refuse(sender, results, **kwargs):
        raise RuntimeError("history is full")

    signals.results_saved.connect(refuse, dispatch_uid="test.refuse")
    try:
        with pytest.raises(RuntimeError, match="history is full"):
            save_results([_finished(check, Outcome(latency_ms=1.0), T0.timestamp())])
    finally:
        signals.results_saved.disconnect(dispatch_uid="test.refuse")
    assert not CheckResult.objects.exists()
    assert Check.objects.get(pk=check.pk).status == Status.PENDING
