"""Status pages, their documents, badges and logos: readable by anyone for public pages.

Every response is built from the page's stored document (status.publishing), carries
its ETag and is cacheable by a reverse proxy while public: a reader asking again gets
a 304 until something shown changes.
"""

import hashlib
import json
from collections.abc import Callable
from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotModified
from django.shortcuts import get_object_or_404, render
from django.utils import translation
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_safe

from core.i18n.languages import LANGUAGE_CODES
from status import badges, publishing
from status.documents import LEVEL_CODES, WINDOWS
from status.models import StatusPage

LEVEL_NAMES = {code: name for name, code in LEVEL_CODES.items()}
PUBLIC_CACHE = {"public": True, "max_age": 5, "stale_while_revalidate": 30}
PRIVATE_CACHE = {"private": True, "no_cache": True}


def readable(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """GET or HEAD only; a public page for anyone, a login-only one for signed-in users.
    The view is called with the page instead of its slug."""

    @wraps(view)
    def wrapper(request: HttpRequest, slug: str, **kwargs) -> HttpResponse:
        page = get_object_or_404(StatusPage, slug=slug)
        if not page.public and not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        return view(request, page, **kwargs)

    return require_safe(wrapper)


def _cached(request: HttpRequest, page: StatusPage, etag: str, respond: Callable[[], HttpResponse]) -> HttpResponse:
    quoted = f'"{etag}"'
    asked = {tag.strip().removeprefix("W/") for tag in request.headers.get("If-None-Match", "").split(",")}
    response = HttpResponseNotModified() if quoted in asked else respond()
    response["ETag"] = quoted
    patch_cache_control(response, **(PUBLIC_CACHE if page.public else PRIVATE_CACHE))
    return response


@readable
def status_page(request: HttpRequest, page: StatusPage) -> HttpResponse:
    # The language: ?lang= (the page's own switch: links, as a form's CSRF cookie would make
    # the page differ per reader), else Accept-Language or the language cookie.
    if request.GET.get("lang") in LANGUAGE_CODES:
        translation.activate(request.GET["lang"])
    document = publishing.current(page)
    content = json.loads(document.text)
    for section in content["sections"]:
        for host in section["hosts"]:
            host["bars"] = _bars(host, content["days"])
    context = {"page": page, "doc": content, "script_doc": json.loads(document.text), "has_logo": bool(page.logo_type)}
    etag = f"{document.etag}-html-{translation.get_language()}"  # one page per language
    return _cached(request, page, etag, lambda: render(request, "status/page.html", context))


def _bars(host: dict, days: list[str]) -> list[tuple[str, str, float | None]]:
    """(day, level, uptime %) per day, for the template."""
    return [(day, LEVEL_NAMES[code], pct) for day, code, pct in zip(days, host["levels"], host["daily"], strict=True)]


@readable
def status_document(request: HttpRequest, page: StatusPage) -> HttpResponse:
    document = publishing.current(page)
    return _cached(request, page, document.etag, lambda: HttpResponse(document.text, content_type="application/json"))


@readable
def badge(request: HttpRequest, page: StatusPage, host_id: int) -> HttpResponse:
    """`?show=state` (default) or `?show=uptime&period=24h|7d|30d|90d`; `?label=` names the left part."""
    document = publishing.current(page)
    content = json.loads(document.text)
    host = next((h for s in content["sections"] for h in s["hosts"] if h["id"] == host_id), None)
    if host is None:
        raise Http404("No such host on this page.")
    show = request.GET.get("show", "state")
    period = request.GET.get("period", "30d")
    if show not in ("state", "uptime") or period not in WINDOWS:
        return HttpResponse(
            "show is state or uptime; period is one of " + ", ".join(WINDOWS), status=400, content_type="text/plain"
        )
    label = request.GET.get("label", host["name"] if show == "state" else f"uptime {period}")[:40]
    if show == "state":
        value, colour = host["state"].upper(), badges.state_colour(host["state"])
    else:
        pct = host["uptime"][period]
        value, colour = ("unknown" if pct is None else f"{pct:.2f}%"), badges.uptime_colour(pct)
    etag = f"{document.etag}-{show}-{period}-{hashlib.sha256(label.encode()).hexdigest()[:8]}"
    return _cached(
        request, page, etag, lambda: HttpResponse(badges.svg(label, value, colour), content_type="image/svg+xml")
    )


@readable
def logo(request: HttpRequest, page: StatusPage) -> HttpResponse:
    if not page.logo_type:
        raise Http404("This page has no logo.")
    response = _cached(
        request,
        page,
        f"logo-{page.updated_at.timestamp():.0f}",
        lambda: HttpResponse(bytes(page.logo), content_type=page.logo_type),
    )
    # An SVG opened on its own must not run scripts on this origin.
    response["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'; sandbox"
    return response
