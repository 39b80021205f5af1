from datetime import timedelta

from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from monitor.chat import host_room_name
from monitor.checks.ping import TCP_FALLBACK
from monitor.live import host_summary, result_fields
from monitor.models import CheckResult, Host

RECENT_RESULTS = 50
CHART_WINDOW = timedelta(hours=1)
CHART_POINTS_PER_CHECK = 720


def host_grid() -> list[dict]:
    """Every monitored host as the dashboard's grid draws it: one query for hosts, one for tags."""
    hosts = Host.objects.prefetch_related("tags").order_by("name")
    return [host_summary(host, [tag.name for tag in host.tags.all()]) for host in hosts]


@login_required
def host_grid_json(request):
    return JsonResponse({"hosts": host_grid()})


@login_required
def host_detail(request, host_id: int):
    host = get_object_or_404(Host.objects.prefetch_related("tags"), pk=host_id)
    checks = list(host.checks.all())
    since = timezone.now() - CHART_WINDOW
    history = {}
    for check in checks:
        rows = check.results.filter(started_at__gte=since).order_by("-started_at")[:CHART_POINTS_PER_CHECK]
        history[check.id] = [result_fields(r) for r in reversed(rows)]
    recent = CheckResult.objects.filter(host=host)[:RECENT_RESULTS]
    config = {
        "host": host.id,
        "checks": [{"id": c.id, "kind": c.kind, "label": c.describe(), "enabled": c.enabled} for c in checks],
        "history": history,
        "recent": [result_fields(r) for r in reversed(recent)],
        "tcpFallback": TCP_FALLBACK,
    }
    context = {"host": host, "checks": checks, "config": config, "chat_room": host_room_name(host.id)}
    return render(request, "host_detail.html", context)
