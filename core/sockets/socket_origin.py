"""The Origin a WebSocket handshake may come from: the site's own, as Django's CSRF check has it.

Browsers send cookies with a WebSocket handshake whatever page opens it, so a page of any
other site, or of another application on this host name under another port or scheme,
could otherwise open sockets as the signed-in user. The rule is the one Django's
CsrfViewMiddleware applies to an unsafe HTTP request: the Origin must equal the request's
own scheme, host and port (SECURE_PROXY_SSL_HEADER and USE_X_FORWARDED_HOST honoured, the
host in ALLOWED_HOSTS), or be listed in CSRF_TRUSTED_ORIGINS (a `*.` prefix allowing
subdomains). A handshake without an Origin is refused: browsers always send one.
"""

from urllib.parse import urlsplit

from channels.security.websocket import WebsocketDenier
from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.http import HttpRequest
from django.http.request import is_same_domain


class HandshakeRequest(HttpRequest):
    """The handshake seen as Django sees an HTTP request, for its own reading of scheme and host."""

    def __init__(self, scope) -> None:
        super().__init__()
        for name, value in scope.get("headers", []):
            key = "HTTP_" + name.decode("latin1").upper().replace("-", "_")
            value = value.decode("latin1")
            # A repeated header is one value, comma-separated, as Django's ASGI handler joins it.
            self.META[key] = f"{self.META[key]},{value}" if key in self.META else value
        host, port = scope.get("server") or (None, None)
        if host is not None:
            self.META["SERVER_NAME"], self.META["SERVER_PORT"] = host, str(port)
        self.socket_scheme = scope.get("scheme", "ws")

    def _get_scheme(self) -> str:
        return "https" if self.socket_scheme == "wss" else "http"


def own_origin(request: HttpRequest) -> str | None:
    try:
        return f"{request.scheme}://{request.get_host()}"
    except (DisallowedHost, KeyError):  # a host not served here, or none named at all
        return None


def trusted(origin: str) -> bool:
    """Listed in CSRF_TRUSTED_ORIGINS, as an exact origin or under a `scheme://*.domain` entry."""
    if origin in settings.CSRF_TRUSTED_ORIGINS:
        return True
    try:
        parsed = urlsplit(origin)
    except ValueError:
        return False
    return any(
        is_same_domain(parsed.netloc, entry.netloc.lstrip("*"))
        for entry in map(urlsplit, settings.CSRF_TRUSTED_ORIGINS)
        if "*" in entry.netloc and entry.scheme == parsed.scheme
    )


def origin_allowed(scope) -> bool:
    request = HandshakeRequest(scope)
    origin = request.META.get("HTTP_ORIGIN")
    if not origin:
        return False
    return origin == own_origin(request) or trusted(origin)


class SameOriginValidator:
    """Refuses (HTTP 403) a handshake whose Origin is not the site's own."""

    def __init__(self, application) -> None:
        self.application = application

    async def __call__(self, scope, receive, send):
        if origin_allowed(scope):
            return await self.application(scope, receive, send)
        return await WebsocketDenier()(scope, receive, send)
