from datetime import timedelta

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from chat.rooms import DASHBOARD_ROOM
from core.groups import host_room_name
from core.metrics import FRAME_METRICS
from dashboard.frames import host_summary, result_fields
from monitor.checks.ping import TCP_FALLBACK
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
    context["page_module"] = "js/host-detail.js"
    return render(request, "host_detail.html", context)


def metric_catalogue() -> dict[str, dict]:
    """What the dashboard's scripts need of each stored frame metric (json_script "metric-catalogue")."""
    return {m.name: {"path": list(m.path), "unit": m.unit, "label": m.label} for m in FRAME_METRICS if m.history}


@login_required
def dashboard(request):
    config = {
        "sampleInterval": settings.SAMPLE_INTERVAL,
        "offlineAfter": settings.AGENT_OFFLINE_AFTER,
        "chatRoom": DASHBOARD_ROOM,
    }
    context = {
        "config": config,
        "hosts": host_grid(),
        "metrics": metric_catalogue(),
        "page_module": "js/dashboard.js",
    }
    return render(request, "dashboard.html", context)
