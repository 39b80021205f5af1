"""The alert state machine, the threshold index and metric extraction, as pure functions."""

import random

import pytest

from alerts.readings import agent_readings, host_readings
from alerts.rules import (
    FIRING,
    OK,
    PENDING,
    RESOLVED,
    RuleIndex,
    RuleSpec,
    State,
    breached,
    step,
)

CPU_90 = RuleSpec(1, "cpu_percent", ">", 90.0, 80.0, for_seconds=10)


def run(rule, readings):
    """Feed (time, value) readings; return the transitions with their times, and the last state."""
    state, transitions = State(), []
    for now, value in readings:
        state, transition = step(rule, state, value, now)
        if transition:
            transitions.append((now, transition))
    return transitions, state


def test_fires_only_after_the_for_duration():
    transitions, state = run(CPU_90, [(0, 95), (5, 96), (9.9, 97), (10, 95)])
    assert transitions == [(10, FIRING)]
    assert state.state == FIRING


def test_a_dip_before_the_duration_starts_over():
    transitions, _ = run(CPU_90, [(0, 95), (5, 50), (6, 95), (15, 95), (16, 95)])
    assert transitions == [(16, FIRING)]  # pending again from t=6


def test_pending_then_ok():
    assert step(CPU_90, State(PENDING, 0, 95), 50, 3) == (State(OK, 3, 50), None)


def test_hysteresis_resolves_only_below_the_recovery_threshold():
    firing = State(FIRING, 0, 95)
    assert step(CPU_90, firing, 85, 20) == (firing, None)  # below 90, above 80: still firing
    assert step(CPU_90, firing, 80.1, 21) == (firing, None)
    # Recovered once the condition no longer holds against the recovery threshold: not "> 80".
    assert step(CPU_90, firing, 80, 22) == (State(RESOLVED, 22, 80), RESOLVED)


def test_resolved_can_fire_again():
    rule = RuleSpec(2, "host_down", ">=", 1, 1, 0)
    transitions, _ = run(rule, [(0, 1), (1, 0), (2, 1)])
    assert transitions == [(0, FIRING), (1, RESOLVED), (2, FIRING)]


def test_missing_readings_change_nothing():
    assert step(CPU_90, State(PENDING, 0, 95), None, 100) == (State(PENDING, 0, 95), None)


def test_below_rules():
    cert = RuleSpec(3, "cert_days_left", "<", 14, 20, 0)
    transitions, _ = run(cert, [(0, 30), (1, 13), (2, 15), (3, 21)])
    assert transitions == [(1, FIRING), (3, RESOLVED)]


@pytest.mark.parametrize("comparison", [">", ">=", "<", "<="])
def test_the_index_finds_exactly_the_breached_rules(comparison):
    rng = random.Random(comparison)
    rules = [RuleSpec(i, "cpu_percent", comparison, float(rng.randint(0, 100)), 0.0, 0) for i in range(300)]
    index = RuleIndex(rules)
    for value in [-1, 0, 13, 50, 50.5, 99, 100, 101, *(float(rng.randint(0, 100)) for _ in range(20))]:
        expected = {r.id for r in rules if breached(r, value)}
        assert {r.id for r in index.breached("cpu_percent", value)} == expected
    assert index.breached("mem_percent", 50) == []


def test_agent_readings_from_a_frame():
    frame = {
        "cpu": {"percent": 12.5},
        "mem": {"percent": 40.0},
        "disk": {"mounts": {"/": {"percent": 70.0}, "/data": {"percent": 91.0}}},
        "net": {
            "lo": {
                "rx_bps": 1e9,
                "tx_bps": 1e9,
                "rx_errors_ps": 5,
                "tx_errors_ps": 5,
                "rx_drops_ps": 5,
                "tx_drops_ps": 5,
            },
            "eth0": {
                "rx_bps": 1000,
                "tx_bps": 500,
                "rx_errors_ps": 1,
                "tx_errors_ps": 2,
                "rx_drops_ps": 0,
                "tx_drops_ps": 3,
            },
            "eth1": {
                "rx_bps": 10,
                "tx_bps": 0,
                "rx_errors_ps": 0,
                "tx_errors_ps": 0,
                "rx_drops_ps": 1,
                "tx_drops_ps": 0,
            },
        },
    }
    assert agent_readings(frame) == {
        "cpu_percent": 12.5,
        "mem_percent": 40.0,
        "disk_percent": 91.0,
        "iface_errors_ps": 3,
        "iface_drops_ps": 4,
        "throughput_bps": 12_000,  # the busiest interface, loopback left out
    }
    first_tick = {"cpu": {"percent": None}, "net": {"eth0": {"rx_bps": None}}}
    assert agent_readings(first_tick) == {}


def test_host_readings():
    assert host_readings("down", [], [], []) == {"host_down": 1.0}
    assert host_readings("up", [3.0, 40.0], [0.0, 20.0], [30, 12]) == {
        "host_down": 0.0,
        "check_latency_ms": 40.0,
        "loss_pct": 20.0,
        "cert_days_left": 12.0,
    }
