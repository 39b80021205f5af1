import time

from celery import shared_task

from stats.history import retention, rollup, stores


@shared_task(name="stats.roll_up_history", ignore_result=True, time_limit=1800)
def roll_up_history() -> dict[str, int]:
    """Roll raw values up into minutes and minutes into hours; returns buckets written per tier.

    An external store (HISTORY_URL) buckets at query time: nothing to do then."""
    return rollup.roll_up(time.time()) if stores.embedded() else {}


@shared_task(name="stats.prune_history", ignore_result=True, time_limit=1800)
def prune_history() -> dict[str, int]:
    """Delete what each tier no longer keeps; returns rows deleted per tier.

    An external store (HISTORY_URL) keeps history as long as it is told (its own retention)."""
    return retention.prune(time.time()) if stores.embedded() else {}
