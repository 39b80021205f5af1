"""Uptime and latency per host per day, week or month: a page and a CSV download (/reports/uptime/)."""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_safe

from core.i18n.zones import validate_time_zone, zone
from core.web.exports import csv_response
from monitor.models import Host
from status import ledger, uptime

GRAINS = {"day": 31, "week": 7 * 13, "month": 366}  # the default span of each grain, in days
GRAIN_LABELS = {"day": gettext_lazy("per day"), "week": gettext_lazy("per week"), "month": gettext_lazy("per month")}
MAX_DAYS = 800
HEADER = ["host", "period", "uptime_pct", "down_minutes", "unknown_pct", "maintenance_minutes", "avg_latency_ms"]


@dataclass(frozen=True)
class Query:
    hosts: list[Host]
    grain: str
    first: date
    last: date
    zone_name: str


def parse(params, today: date) -> tuple[Query | None, list[str]]:
    errors = []
    grain = params.get("grain", "day")
    if grain not in GRAINS:
        errors.append(_("grain is day, week or month."))
        grain = "day"
    try:
        last = date.fromisoformat(params["to"]) if params.get("to") else today
        first = date.fromisoformat(params["from"]) if params.get("from") else last - timedelta(days=GRAINS[grain] - 1)
    except ValueError:
        return None, [_("Give dates as YYYY-MM-DD.")]
    if first > last:
        errors.append(_("“from” must not be after “to”."))
    if (last - first).days > MAX_DAYS:
        errors.append(_("A report spans at most %(days)d days.") % {"days": MAX_DAYS})
    zone_name = params.get("tz") or timezone.get_current_timezone_name()  # the reader's (accounts.localisation)
    try:
        validate_time_zone(zone_name)
    except Exception as error:
        errors.append(str(error.messages[0]) if hasattr(error, "messages") else str(error))
    ids = [value for value in params.getlist("host") if value.isdigit()]
    hosts = Host.objects.filter(pk__in=ids) if ids else Host.objects.all()
    return (None if errors else Query(list(hosts.order_by("name")), grain, first, last, zone_name)), errors


def rows(query: Query, now: float) -> Iterator[list]:
    """One row per host and period, a host at a time (memory stays flat however long the span)."""
    tz = zone(query.zone_name)
    spans = uptime.local_spans(query.first, query.last + timedelta(days=1), query.grain, tz)
    since = datetime.fromtimestamp(spans[0][1], UTC)
    for host in query.hosts:
        hours = ledger.hours_of([host.id], since).get(host.id, {})
        first = ledger.first_results([host.id])
        periods = uptime.combine(uptime.bucketed(h, first.get(c), now, spans) for c, h in hours.items())
        periods = periods or [uptime.EMPTY] * len(spans)
        for (day, _start, _end), p in zip(spans, periods, strict=True):
            yield [
                host.name,
                day.isoformat(),
                _round(p.uptime_pct, 3),
                round(p.tally.down / 60, 1),
                _round(p.unknown_pct, 2),
                round(p.tally.maintenance / 60, 1),
                _round(p.tally.latency_ms, 2),
            ]


def _round(value: float | None, digits: int) -> float | str:
    return "" if value is None else round(value, digits)


@login_required
@require_safe
def uptime_report(request: HttpRequest) -> HttpResponse:
    now = datetime.now(UTC)
    query, errors = parse(request.GET, now.date())
    if query is not None and request.GET.get("format") == "csv":
        name = f"uptime-{query.grain}-{query.first}-{query.last}.csv"
        return csv_response(name, HEADER, rows(query, now.timestamp()))
    table = list(rows(query, now.timestamp())) if query else []
    context = {
        "query": query,
        "errors": errors,
        "table": table,
        "grains": [(grain, GRAIN_LABELS[grain]) for grain in GRAINS],
        "all_hosts": Host.objects.order_by("name").only("pk", "name"),
        "chosen": {int(v) for v in request.GET.getlist("host") if v.isdigit()},
        "csv_query": request.GET.urlencode(),
    }
    return render(request, "status/report.html", context, status=400 if errors else 200)
