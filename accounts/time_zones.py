"""Each page is rendered in its reader's time zone: the one chosen on the profile page, else
the browser's (which theme.js keeps in the `tz` cookie), else TIME_ZONE."""

from django.http import HttpRequest
from django.utils import timezone

from accounts.models import Preferences
from core.zones import known_zone

BROWSER_ZONE_COOKIE = "tz"
# Status pages are the same bytes for every reader (cached by proxies): no session, no zone.
SKIPPED = ("/static/", "/status/", "/metrics", "/healthz")


def zone_name_for(request: HttpRequest) -> str | None:
    chosen = None
    if request.user.is_authenticated:
        chosen = Preferences.objects.filter(user=request.user).values_list("time_zone", flat=True).first()
    return known_zone(chosen) or known_zone(request.COOKIES.get(BROWSER_ZONE_COOKIE))


class UserTimeZoneMiddleware:
    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        if request.path.startswith(SKIPPED):
            return self.get_response(request)
        name = zone_name_for(request)
        if name:
            timezone.activate(name)
        else:
            timezone.deactivate()
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()
