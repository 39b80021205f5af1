"""A status page's public document: what its readers see, built once per change.

The document carries only what the page shows: host names, states, uptime figures,
the daily bars and the operators' notices. Never an address, a check URL or an error
text, unless the page shows reasons (and then with secrets masked).
"""

import hashlib
import json
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.db.models import Q

from core.contracts.protocol import frame
from core.i18n.zones import zone
from core.security.redaction import redact_text
from discovery import decisions
from monitor.models import Check, Host, MaintenanceWindow, Status
from status import ledger, uptime
from status.models import Notice, StatusPage

DAYS = 90
WINDOWS = {"24h": 1, "7d": 7, "30d": 30, "90d": 90}  # days
UPCOMING_MAINTENANCE = timedelta(days=7)
SHOWN_NOTICES = 20
LEVEL_CODES = {"up": "u", "partial": "p", "down": "d", "maintenance": "m", "unknown": "n"}
# Worst first: the page's overall state is its worst host's.
PUBLIC_STATES = [Status.DOWN, Status.DEGRADED, Status.UNKNOWN, Status.UP, Status.PENDING, Status.PAUSED]


@dataclass(frozen=True)
class Document:
    text: str  # the JSON sent to pages and sockets
    etag: str  # changes when anything the page shows changes (not with generated_at alone)


def sections(page: StatusPage) -> list[tuple[str, list[Host]]]:
    """(heading, hosts): the hosts chosen one by one first, then one section per tag."""
    result = []
    chosen = list(page.hosts.order_by("name"))
    if chosen:
        result.append((page.hosts_heading, chosen))
    for tag in page.tags.order_by("name"):
        result.append((tag.name, list(tag.hosts.order_by("name"))))
    return result


def build(page: StatusPage, now: float | None = None) -> Document:
    now = time.time() if now is None else now
    parts = sections(page)
    hosts = {host.id: host for _, members in parts for host in members}
    figures = _figures(hosts, now, zone(page.time_zone))
    reasons = _reasons(hosts) if page.show_reasons else {}
    shown = {
        "slug": page.slug,
        "title": page.title,
        "description": page.description,
        "time_zone": page.time_zone,
        "state": _overall([h.status for h in hosts.values()]),
        "days": [day.isoformat() for day, _, _ in uptime.local_days(now, DAYS, zone(page.time_zone))],
        "sections": [
            {"title": heading, "hosts": [_host(h, figures[h.id], reasons.get(h.id)) for h in members]}
            for heading, members in parts
        ],
        "notices": _notices(page, hosts, now),
    }
    # The etag is of what is shown only: a document rebuilt with nothing changed keeps it.
    encoded = json.dumps(shown, sort_keys=True, separators=(",", ":"))
    etag = hashlib.sha256(encoded.encode()).hexdigest()[:24]
    content = frame("status", **shown, generated_at=now, etag=etag)
    return Document(json.dumps(content, separators=(",", ":")), etag)


def _overall(states: list[str]) -> str:
    for state in PUBLIC_STATES:
        if state in states:
            return state
    return Status.PENDING


def _host(host: Host, figures: dict, reason: str | None) -> dict:
    shown = {
        "id": host.id,
        "name": host.name,
        "state": host.status,
        "since": host.status_changed_at.timestamp() if host.status_changed_at else None,
        **figures,
    }
    if reason:
        shown["reason"] = reason
    return shown


def _figures(hosts: dict[int, Host], now: float, tz) -> dict[int, dict]:
    """Per host: uptime % and unknown % over each window, and each day's uptime and bar colour.

    24 h is the last 24 hours; 7 d, 30 d and 90 d are the last local days, today so far included.
    """
    since = datetime.fromtimestamp(now, UTC) - timedelta(days=DAYS + 1)
    hours = ledger.hours_of(hosts, since)
    first = ledger.first_results(hosts)
    figures = {}
    for host_id in hosts:
        checks = hours.get(host_id, {})
        days = uptime.combine(uptime.daily(h, first.get(c), now, DAYS, tz) for c, h in checks.items())
        days = days or [uptime.EMPTY] * DAYS
        windows = {
            "24h": uptime.total(uptime.period(h, now - uptime.DAY, now, first.get(c)) for c, h in checks.items())
        }
        windows.update({name: uptime.total(days[-count:]) for name, count in WINDOWS.items() if name != "24h"})
        figures[host_id] = {
            "uptime": {name: _rounded(p.uptime_pct) for name, p in windows.items()},
            "unknown": {name: _rounded(p.unknown_pct) for name, p in windows.items()},
            # One entry per day, oldest first: the uptime % and the bar's colour as one letter
            # (LEVEL_CODES). Compact, as every reader receives the whole document on each change.
            "daily": [None if p.uptime_pct is None else round(p.uptime_pct, 2) for p in days],
            "levels": "".join(LEVEL_CODES[uptime.level(p)] for p in days),
        }
    return figures


def _rounded(pct: float | None) -> float | None:
    return None if pct is None else round(pct, 3)


def _reasons(hosts: dict[int, Host]) -> dict[int, str]:
    """Why each DOWN host is: where the problem is when it is only cut off behind a DOWN parent
    (discovery.root_cause), then its checks' errors."""
    reasons: dict[int, list[str]] = {}
    if any(host.status == Status.DOWN for host in hosts.values()):
        held = {host: cause for host, cause in decisions.current().held.items() if host in hosts}
        names = dict(Host.objects.filter(pk__in=set(held.values())).values_list("id", "name"))
        for host_id, cause in held.items():
            reasons[host_id] = [f"unreachable via {names.get(cause, cause)}"]
    rows = Check.objects.filter(host_id__in=hosts, enabled=True, status=Status.DOWN).exclude(last_error="")
    for host_id, error in rows.values_list("host_id", "last_error"):
        reasons.setdefault(host_id, []).append(redact_text(error))
    return {host_id: "; ".join(errors) for host_id, errors in reasons.items()}


def _notices(page: StatusPage, hosts: dict[int, Host], now: float) -> list[dict]:
    moment = datetime.fromtimestamp(now, UTC)
    shown = [
        {
            "kind": n.kind,
            "title": n.title,
            "message": n.message,
            "starts_at": n.starts_at.timestamp(),
            "ends_at": n.ends_at.timestamp() if n.ends_at else None,
        }
        for n in Notice.objects.filter(page=page)[:SHOWN_NOTICES]
    ]
    tags = Host.tags.through.objects.filter(host_id__in=hosts).values_list("tag_id", flat=True)
    windows = MaintenanceWindow.objects.filter(Q(host_id__in=hosts) | Q(tag_id__in=tags)).filter(
        ends_at__gt=moment, starts_at__lt=moment + UPCOMING_MAINTENANCE
    )
    for window in windows.select_related("host", "tag").order_by("starts_at"):
        subject = window.host.name if window.host else f"hosts tagged {window.tag.name}"
        shown.append(
            {
                "kind": "maintenance",
                # Pages write their own title, in the reader's language, from these two.
                "scheduled_for": {"host": window.host.name} if window.host else {"tag": window.tag.name},
                "title": f"Scheduled maintenance: {subject}",
                "message": window.reason,
                "starts_at": window.starts_at.timestamp(),
                "ends_at": window.ends_at.timestamp(),
            }
        )
    return shown
