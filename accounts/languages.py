"""The language switch and the JavaScript catalogue the ES modules translate with."""

from django.conf import settings
from django.http import Http404
from django.utils import translation
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_POST
from django.views.i18n import JavaScriptCatalog, set_language

from accounts.models import Preferences
from core.i18n.languages import LANGUAGE_CODES


@require_POST
def switch_language(request):
    """Django's set_language (the cookie, a safe `next`), and the account remembers the choice,
    so the next login and every notification use it."""
    response = set_language(request)
    language = request.POST.get("language")
    if request.user.is_authenticated and language in LANGUAGE_CODES:
        Preferences.objects.update_or_create(user=request.user, defaults={"language": language})
    return response


def adopt_page_language(sender, request, user, **kwargs) -> None:
    """On login, an account that never chose a language takes the one its pages are in
    (cookie or Accept-Language), so its alerts and notifications match what it reads."""
    language = getattr(request, "LANGUAGE_CODE", None)
    if language in LANGUAGE_CODES and language != settings.LANGUAGE_CODE:
        preferences, _created = Preferences.objects.get_or_create(user=user)
        if not preferences.language:
            preferences.language = language
            preferences.save(update_fields=["language"])


# The language is in the address, so a browser or proxy may keep each one's catalogue.
@cache_control(public=True, max_age=3600)
def javascript_catalogue(request, language: str):
    if language not in LANGUAGE_CODES:
        raise Http404("no such language")
    with translation.override(language):
        response = JavaScriptCatalog.as_view(domain="djangojs", packages=None)(request)
    response["Content-Language"] = language
    return response


# BCP 47 tags for <html lang> and the switch's own lang attribute (Django's codes are lower case).
HTML_LANG = {"en": "en", "zh-hans": "zh-Hans"}


def language_context(request) -> dict:
    """For base templates: the page's language tag and the switch to each other language."""
    current = translation.get_language() or settings.LANGUAGE_CODE
    others = [(code, name, HTML_LANG.get(code, code)) for code, name in settings.LANGUAGES if code != current]
    return {"html_lang": HTML_LANG.get(current, current), "other_languages": others}
