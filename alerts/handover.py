"""An agent's rule states move with its stream from one ingest process to the next (stats.shards).

Pending states live only in the evaluating process's memory, and a firing one may have
changed since the new owner last loaded them: the process that lets an agent go writes
its states to Redis, and the one that takes it reads them before its first frame.
A process that dies hands nothing over: firing states come back from the database,
pending ones start again.
"""

import json

from django.conf import settings

from alerts.evaluator import agent_evaluator
from alerts.rules import State
from core.redis_io.redis_clients import sync_redis

KEEP_S = 300  # states not taken within this are stale (their agent went unowned that long)


def moving_key() -> str:
    return f"{settings.REDIS_PREFIX}:alerts:moving"


def subject(name: str) -> str:
    return f"agent:{name}"


def hand_over(sender, names: list[str], **kwargs) -> None:
    """The agents `names` leave this process: their states, out of the evaluator, into Redis."""
    evaluator, moving = agent_evaluator(), {}
    with evaluator.lock:
        for name in names:
            by_metric = evaluator.states.pop(subject(name), None) or {}
            states = [[metric, rule_id, s.state, s.since, s.value] for metric, by_rule in by_metric.items()
                      for rule_id, s in by_rule.items()]  # fmt: skip
            moving[name] = json.dumps(states)
    if moving:
        redis = sync_redis()
        redis.hset(moving_key(), mapping=moving)
        redis.expire(moving_key(), KEEP_S)


def take_over(sender, names: list[str], **kwargs) -> None:
    """The agents `names` come to this process: their states handed over, if any, into the evaluator."""
    if not names:
        return
    redis = sync_redis()
    found = redis.hmget(moving_key(), names)
    evaluator = agent_evaluator()
    with evaluator.lock:
        for name, text in zip(names, found, strict=True):
            if text is None:
                continue
            by_metric = evaluator.states[subject(name)]
            by_metric.clear()
            for metric, rule_id, state, since, value in json.loads(text):
                by_metric[metric][int(rule_id)] = State(state, since, value)
    redis.hdel(moving_key(), *names)
