from datetime import timedelta

from celery import shared_task
from celery.signals import worker_shutdown
from django.conf import settings
from django.utils import timezone

from NetWorkMonitor.pruning import delete_in_batches
from stats.agent import agent_runtime
from stats.models import Sample


@shared_task(name="stats.sample", ignore_result=True)
def sample() -> None:
    """Sample this host and send the frame to every dashboard (broadcast to all agents)."""
    agent_runtime().tick()


@shared_task(name="stats.prune_samples", ignore_result=True, time_limit=600)
def prune_samples() -> int:
    """Delete samples older than SAMPLE_RETENTION_HOURS; returns how many."""
    cutoff = timezone.now() - timedelta(hours=settings.SAMPLE_RETENTION_HOURS)
    return delete_in_batches(Sample.objects.filter(ts__lt=cutoff))


@worker_shutdown.connect
def _save_pending_samples(**kwargs) -> None:
    if agent_runtime.cache_info().currsize:
        agent_runtime().buffer.flush()
