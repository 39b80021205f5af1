"""The filters the Events page and /api/events/ share, from query parameters.

A bad value raises BadFilter naming the parameter: the page shows it, the API answers 400.
"""

import ipaddress

from django.db.models import QuerySet

from events.models import Event, Kind
from events.search import matching

PARAMETERS = ("device", "tag", "severity", "facility", "kind", "trap_name", "source", "q")


class BadFilter(ValueError):
    pass


def _integer(params, name: str, low: int, high: int) -> int | None:
    raw = params.get(name)
    if raw in (None, ""):
        return None
    try:
        value = int(raw)
    except ValueError:
        raise BadFilter(f'"{name}" must be a whole number from {low} to {high}') from None
    if not low <= value <= high:
        raise BadFilter(f'"{name}" must be a whole number from {low} to {high}')
    return value


def _text(params, name: str) -> str:
    """A text parameter without NUL, which PostgreSQL refuses in any string."""
    return (params.get(name) or "").replace("\x00", "").strip()


def filtered(events: QuerySet[Event], params) -> QuerySet[Event]:
    if (device := _integer(params, "device", 1, 2**63 - 1)) is not None:
        events = events.filter(device_id=device)
    if tag := _text(params, "tag"):
        events = events.filter(device__tags__name=tag)
    if (severity := _integer(params, "severity", 0, 7)) is not None:
        events = events.filter(severity__lte=severity)  # this severity or a graver one (lower number)
    if (facility := _integer(params, "facility", 0, 23)) is not None:
        events = events.filter(facility=facility)
    if kind := _text(params, "kind"):
        if kind not in Kind.values:
            raise BadFilter(f'"kind" must be one of {", ".join(Kind.values)}')
        events = events.filter(kind=kind)
    if trap_name := _text(params, "trap_name"):
        events = events.filter(trap_name__icontains=trap_name)
    if source := _text(params, "source"):
        try:
            events = events.filter(source=str(ipaddress.ip_address(source)))
        except ValueError:
            raise BadFilter('"source" must be an IP address') from None
    if text := _text(params, "q"):
        events = matching(events, text)
    return events
