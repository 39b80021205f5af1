from collections import defaultdict
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db.models import Case, Q, When
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.templatetags.static import static
from django.utils import timezone

from chat.rooms import DASHBOARD_ROOM
from core.contracts.groups import host_room_name
from core.contracts.metrics import FRAME_METRICS
from dashboard.frames import busiest_port, host_summary, port_fields, result_fields
from dashboard.host_config import config_controls
from dashboard.host_uptime import host_uptime
from dashboard.topology import topology
from monitor.checks.ping import TCP_FALLBACK
from monitor.devices import search
from monitor.devices.models import Device, Interface, InventoryEvent, InventoryItem, RoutingSession
from monitor.host_setup import kind_forms
from monitor.models import CheckResult, Host, Status
from oncall.models import Team
from oncall.schedules import on_call_by_schedule
from probes.models import SiteCheckState

RECENT_RESULTS = 50
RECENT_EVENTS = 50  # network events seeding the device page's live tail
CHART_WINDOW = timedelta(hours=1)
CHART_POINTS_PER_CHECK = 720


# The grid shows at most this many hosts, those most in need of attention first; the
# rest are found by searching. 20,000 hosts made a 3.8 MB page that took 3.3 s.
GRID_LIMIT = 500
NEEDING_ATTENTION = [Status.DOWN, Status.DEGRADED, Status.UNKNOWN, Status.PENDING]
WORST_FIRST = Case(
    *(When(status=status, then=rank) for rank, status in enumerate(NEEDING_ATTENTION)),
    default=len(Status),
)


def host_grid(query: str = "") -> tuple[list[dict], int]:
    """(hosts as the dashboard's grid draws them, how many match): at most GRID_LIMIT, worst
    first, those whose name or address contains `query`. A query each for hosts, tags and ports."""
    hosts = Host.objects.all()
    if query:
        hosts = hosts.filter(Q(name__icontains=query) | Q(address__icontains=query))
    total = hosts.count()
    shown = list(hosts.prefetch_related("tags").order_by(WORST_FIRST, "name")[:GRID_LIMIT])
    ports = defaultdict(list)
    interfaces = Interface.objects.filter(host_id__in=[host.id for host in shown])
    for interface in interfaces.only("host_id", "name", "in_bps", "out_bps", "utilisation_pct"):
        ports[interface.host_id].append(interface)
    summaries = [
        host_summary(host, [tag.name for tag in host.tags.all()], busiest_port(ports.get(host.id, [])))
        for host in shown
    ]
    return summaries, total


def grid_query(request) -> str:
    return request.GET.get("q", "").strip()[:100]


@login_required
def host_grid_json(request):
    hosts, total = host_grid(grid_query(request))
    return JsonResponse({"hosts": hosts, "total": total})


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
        "checks": [
            {"id": c.id, "label": c.describe(), "enabled": c.enabled, "charts_loss": c.kind_spec.charts_loss}
            for c in checks
        ],
        "history": history,
        "recent": [result_fields(r) for r in reversed(recent)],
        "tcpFallback": TCP_FALLBACK,
    }
    device = Device.objects.filter(host=host).first()
    if device is not None:
        config["ports"] = [port_fields(i) for i in host.interfaces.order_by("index")]
    config["events"] = [e.live_fields() for e in reversed(host.events.order_by("-received_at", "-id")[:RECENT_EVENTS])]
    context = {"host": host, "checks": checks, "config": config, "chat_room": host_room_name(host.id), "device": device}
    context["routing_sessions"] = list(RoutingSession.objects.filter(host=host)) if device else []
    # A check run from several sites: each site's latest state and latency (probes.voting).
    context["site_states"] = SiteCheckState.objects.filter(host_check__host=host).select_related("site", "host_check")
    context |= editor_context(request.user)
    context["maintenance"] = host.maintenance.filter(ends_at__gt=timezone.now(), starts_at__lte=timezone.now())
    context["inventory"] = list(InventoryItem.objects.filter(host=host)) if device else []
    context["inventory_events"] = list(InventoryEvent.objects.filter(host=host)[:20]) if device else []
    context["uptime"] = host_uptime(host.id)
    context["charts_loss"] = any(check.kind_spec.charts_loss for check in checks)  # a loss chart only with ping
    context["page_module"] = "js/host-detail.js"
    return render(request, "host_detail.html", context)


def editor_context(user) -> dict:
    """What the host dialog needs on a page: the controls the user may use, and the kinds' fields."""
    controls = config_controls(user)
    return {"controls": controls, "check_kinds": kind_forms() if any(controls.values()) else []}


def favicon(request):
    """/favicon.ico, which browsers ask for on pages that name no icon (admin's, a status page's): the product's."""
    response = redirect(static("favicon.svg"))
    response["Cache-Control"] = "max-age=86400"
    return response


def metric_catalogue() -> dict[str, dict]:
    """What the dashboard's scripts need of each stored frame metric (json_script "metric-catalogue")."""
    return {m.name: {"path": list(m.path), "unit": m.unit, "label": m.label} for m in FRAME_METRICS if m.history}


@login_required
def dashboard(request):
    query = grid_query(request)
    hosts, total = host_grid(query)
    config = {
        "sampleInterval": settings.SAMPLE_INTERVAL,
        "offlineAfter": settings.AGENT_OFFLINE_AFTER,
        "chatRoom": DASHBOARD_ROOM,
        # A partial grid takes live changes only for the hosts it shows, and reloads the same part.
        "hostQuery": query,
        "hostsPartial": bool(query) or total > len(hosts),
    }
    context = {
        "config": config,
        "hosts": hosts,
        "hosts_total": total,
        "hosts_query": query,
        "metrics": metric_catalogue(),
        "page_module": "js/dashboard.js",
        "on_call": on_call_by_schedule(Team.objects.all(), timezone.now()),  # shown only when a team has a schedule
    } | editor_context(request.user)
    return render(request, "dashboard.html", context)


@login_required
def network_map(request):
    context = {"graph": topology(), "page_module": "js/network-map.js"}
    return render(request, "network_map.html", context)


@login_required
def where(request):
    """Where a MAC or IP address was seen: switch ports, VLANs, the neighbour on the port, ARP tables."""
    query = request.GET.get("q", "")[:100]
    return render(request, "where.html", {"query": query, "sightings": search.where(query) if query else []})


@login_required
def network_map_json(request):
    return JsonResponse(topology())
