"""Each page in its reader's language and time zone.

The language: the one chosen with the switch in the top bar (kept on the account, so
notifications use it too), else LocaleMiddleware's pick from the `django_language` cookie
or Accept-Language. The zone: the one chosen on the profile page, else the browser's (which
theme.js keeps in the `tz` cookie), else TIME_ZONE.
"""

from django.http import HttpRequest
from django.utils import timezone, translation

from accounts.models import Preferences
from core.i18n.languages import LANGUAGE_CODES
from core.i18n.zones import known_zone

BROWSER_ZONE_COOKIE = "tz"
# Status pages are the same bytes for every reader of a language (cached by proxies): no
# session, so no account preferences; LocaleMiddleware's Accept-Language pick still applies.
SKIPPED = ("/static/", "/status/", "/metrics", "/healthz")


def preferences_of(user) -> tuple[str, str]:
    """(time zone, language) the user chose; empty strings where they chose none."""
    if not user.is_authenticated:
        return "", ""
    chosen = Preferences.objects.filter(user=user).values_list("time_zone", "language").first()
    return chosen or ("", "")


class ReaderLocaleMiddleware:
    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        if request.path.startswith(SKIPPED):
            return self.get_response(request)
        zone_name, language = preferences_of(request.user)
        zone_name = known_zone(zone_name) or known_zone(request.COOKIES.get(BROWSER_ZONE_COOKIE))
        if zone_name:
            timezone.activate(zone_name)
        else:
            timezone.deactivate()
        if language in LANGUAGE_CODES:
            translation.activate(language)
            request.LANGUAGE_CODE = language
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()
