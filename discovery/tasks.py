from datetime import timedelta

from celery import shared_task
from django.db.models import Q
from django.utils import timezone

from discovery import service
from discovery.models import Plan


@shared_task(name="discovery.rediscover", ignore_result=True, time_limit=3600)
def rediscover() -> int:
    """Run every enabled plan that is due; each is claimed first, so two workers never run one. Returns how many ran."""
    now, ran = timezone.now(), 0
    for plan in Plan.objects.filter(Q(next_run_at__lte=now) | Q(next_run_at=None), enabled=True):
        claimed = Plan.objects.filter(pk=plan.pk, next_run_at=plan.next_run_at).update(
            next_run_at=now + timedelta(seconds=plan.interval_s)
        )
        if claimed == 1:
            service.run(plan)
            ran += 1
    return ran
