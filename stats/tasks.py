import time

from celery import shared_task
from celery.signals import worker_shutdown

from stats.agent import agent_runtime
from stats.history import retention, rollup


@shared_task(name="stats.sample", ignore_result=True)
def sample() -> None:
    """Sample this host and send the frame to every dashboard (broadcast to all agents)."""
    agent_runtime().tick()


@shared_task(name="stats.roll_up_history", ignore_result=True, time_limit=1800)
def roll_up_history() -> dict[str, int]:
    """Roll raw values up into minutes and minutes into hours; returns buckets written per tier."""
    return rollup.roll_up(time.time())


@shared_task(name="stats.prune_history", ignore_result=True, time_limit=1800)
def prune_history() -> dict[str, int]:
    """Delete what each tier no longer keeps; returns rows deleted per tier."""
    return retention.prune(time.time())


@worker_shutdown.connect
def _save_pending_samples(**kwargs) -> None:
    if agent_runtime.cache_info().currsize:
        agent_runtime().buffer.flush()
