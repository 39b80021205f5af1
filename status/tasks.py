from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from core.pruning import delete_in_batches
from status import publishing
from status.models import UptimeHour


@shared_task(name="status.refresh_pages", ignore_result=True, time_limit=55)
def refresh_pages() -> int:
    """Rebuild every status page (uptime figures and day bars move on); returns how many changed."""
    return publishing.refresh_all()


@shared_task(name="status.prune_uptime", ignore_result=True, time_limit=1800)
def prune_uptime() -> int:
    """Delete uptime hours older than UPTIME_RETENTION_DAYS; returns how many."""
    cutoff = timezone.now() - timedelta(days=settings.UPTIME_RETENTION_DAYS)
    return delete_in_batches(UptimeHour.objects.filter(hour__lt=cutoff))
