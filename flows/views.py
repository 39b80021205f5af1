"""/flows/: the top talkers of a range, with the filters of /api/flows/, drawn as bars and a line."""

import time

import redis
from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from core.redis_io.redis_clients import sync_redis
from flows import counts, query, truth
from flows.services import PROTOCOLS
from monitor.models import Host

SPANS = [(3600, _("last hour")), (6 * 3600, _("last 6 hours")), (86400, _("last day")), (7 * 86400, _("last week"))]
TABLES = [("src", _("Sources")), ("dst", _("Destinations")), ("pair", _("Pairs")), ("proto", _("Protocols")),
          ("port", _("Services"))]  # fmt: skip
TOP_N = 10


@login_required
def flows_page(request):
    params = request.GET.copy()
    span = _span(params.get("span"))
    params.setdefault("from", str(int(time.time()) - span))
    error, tables, series, context_truth = "", [], [], []
    try:
        filters = query.parse(params, time.time())
    except query.BadFilter as bad:
        error, filters = str(bad), query.parse({"from": int(time.time()) - span}, time.time())
    else:
        found = query.top(filters, TOP_N)
        tables = [(label, _with_shares(found[name])) for name, label in TABLES]
        series = query.series(filters)
        if filters.host is not None:
            context_truth = truth.compare(filters.host, time.time())
    context = {
        "filters": request.GET,
        "spans": SPANS,
        "span": span,
        "devices": Host.objects.filter(id__in=query.exporting_hosts()).order_by("name"),
        "protocols": sorted(set(PROTOCOLS.values())),
        "error": error,
        "tables": tables,
        "points": _points(series),
        "truth": context_truth,
        "dropped": _dropped(),
        "csv": f"/api/flows/?{_without(params, 'span').urlencode()}&format=csv",
    }
    return render(request, "flows.html", context)


def _dropped() -> list[tuple[str, int]]:
    try:
        return counts.read_tally(sync_redis())[1]
    except redis.RedisError:
        return []  # the counts are a side note: the page shows without them


def _span(raw) -> int:
    try:
        return next(seconds for seconds, _label in SPANS if seconds == int(raw))
    except (TypeError, ValueError, StopIteration):
        return SPANS[0][0]


def _with_shares(rows: list[dict]) -> list[dict]:
    total = sum(row["bytes"] for row in rows) or 1
    return [{**row, "share": round(100 * row["bytes"] / total, 1)} for row in rows]


def _points(series: list[list[int]]) -> str:
    """The series as an SVG polyline's points in a 1000 x 100 box."""
    if len(series) < 2:
        return ""
    first, last = series[0][0], series[-1][0]
    top = max(value for _start, value in series) or 1
    return " ".join(f"{1000 * (t - first) / (last - first):.1f},{100 - 100 * v / top:.1f}" for t, v in series)


def _without(params, name: str):
    params = params.copy()
    params.pop(name, None)
    return params
