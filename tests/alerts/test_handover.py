"""An agent's rule states leave with it from one ingest process and arrive in the next."""

from alerts import handover
from alerts.evaluator import agent_evaluator
from alerts.rules import PENDING, State
from core.redis_io.redis_clients import sync_redis


def test_it_moves_an_agents_pending_state_through_redis_and_leaves_the_others():
    evaluator = agent_evaluator()
    evaluator.states["agent:moving-1"]["cpu.percent"][41] = State(PENDING, 1_800_000_000.0, 97.5)
    evaluator.states["agent:staying-1"]["cpu.percent"][41] = State(PENDING, 1_800_000_000.0, 99.0)
    try:
        handover.hand_over(None, names=["moving-1"])
        assert "agent:moving-1" not in evaluator.states
        handover.take_over(None, names=["moving-1"])
        assert evaluator.states["agent:moving-1"]["cpu.percent"][41] == State(PENDING, 1_800_000_000.0, 97.5)
        assert evaluator.states["agent:staying-1"]["cpu.percent"][41].value == 99.0
        assert sync_redis().hget(handover.moving_key(), "moving-1") is None  # taken once
    finally:
        evaluator.states.pop("agent:moving-1", None)
        evaluator.states.pop("agent:staying-1", None)
