import time

from celery import shared_task

from flows import tiers


@shared_task(name="flows.roll_up", ignore_result=True, time_limit=1800)
def roll_up() -> int:
    """Sum each ended hour's minute tables into an hour table; returns the rows written."""
    return tiers.roll_up(time.time())


@shared_task(name="flows.prune", ignore_result=True, time_limit=1800)
def prune() -> dict[str, int]:
    """Delete the flow tables each tier keeps no longer; returns rows deleted per tier."""
    return tiers.prune(time.time())
