"""The Events page: network events with filters and text search, the unknown sources with an
"add as device" link, and what the receiver dropped."""

import redis
from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils.http import urlencode

from core.redis_io.redis_clients import sync_redis
from events import sources
from events.counters import read_drops
from events.filters import PARAMETERS, BadFilter, filtered
from events.models import Event, Severity, UnknownSource
from monitor.models import Host, Tag

PAGE = 200
LISTED = 50  # unknown sources and drop counts shown, the largest first


def dropped() -> list[tuple[str, str, int]] | None:
    try:
        return read_drops(sync_redis())[:LISTED]
    except redis.RedisError:
        return None  # the page says the counts are unavailable


def still_unknown() -> list[UnknownSource]:
    """The busiest unknown sources, less those added as devices or mapped since."""
    known = sources.load().devices
    return [u for u in UnknownSource.objects.order_by("-count")[: LISTED * 4] if u.address not in known][:LISTED]


@login_required
def events_page(request):
    filters = {key: request.GET.get(key, "").strip() for key in PARAMETERS}
    error = ""
    try:
        events = list(filtered(Event.objects.select_related("device"), filters).distinct()[:PAGE])
    except BadFilter as bad:
        events, error = [], str(bad)
    context = {
        "events": events,
        "filters": filters,
        "error": error,
        "query": urlencode({key: value for key, value in filters.items() if value}),
        "devices": Host.objects.filter(events__isnull=False).distinct().values_list("id", "name"),
        "tags": Tag.objects.values_list("name", flat=True),
        "severities": Severity.choices,
        "unknown": still_unknown(),
        "dropped": dropped(),
        "may_add_hosts": request.user.has_perm("monitor.add_host"),
        "page": PAGE,
    }
    return render(request, "events.html", context)
