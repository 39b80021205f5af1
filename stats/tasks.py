import time

from celery import shared_task

from stats.history import retention, rollup


@shared_task(name="stats.roll_up_history", ignore_result=True, time_limit=1800)
def roll_up_history() -> dict[str, int]:
    """Roll raw values up into minutes and minutes into hours; returns buckets written per tier."""
    return rollup.roll_up(time.time())


@shared_task(name="stats.prune_history", ignore_result=True, time_limit=1800)
def prune_history() -> dict[str, int]:
    """Delete what each tier no longer keeps; returns rows deleted per tier."""
    return retention.prune(time.time())
