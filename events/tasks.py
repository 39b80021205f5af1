from celery import shared_task

from events import retention


@shared_task(name="events.prune_events", ignore_result=True, time_limit=600)
def prune_events() -> int:
    """Delete events past their age or the row limit; returns how many."""
    return retention.prune()
