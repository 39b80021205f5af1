"""Time zones by IANA name."""

import functools
from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _


@functools.cache
def names() -> frozenset[str]:
    """Every zone name this system knows (reading them takes about 13 ms: once per process)."""
    return frozenset(available_timezones())


def validate_time_zone(name: str) -> None:
    if name not in names():
        raise ValidationError(
            _("“%(name)s” is not a time zone name (such as Europe/Berlin or Asia/Shanghai).") % {"name": name}
        )


def known_zone(name: str | None) -> str | None:
    """`name` if it names a time zone, else None (for names from cookies and old rows)."""
    return name if name and name in names() else None


def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def local_text(moment: datetime | None, pattern: str = "%Y-%m-%d %H:%M") -> str:
    """`moment` in the reader's zone (the one active for this request), its zone named:
    "2026-12-07 04:36 CST". For model names the admin shows, which otherwise print UTC unmarked."""
    if moment is None:
        return "–"
    local = timezone.localtime(moment) if timezone.is_aware(moment) else moment
    return f"{local.strftime(pattern)} {local.tzname() or timezone.get_current_timezone_name()}"
