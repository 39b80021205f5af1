"""A WebSocket handshake is accepted from the site's own origin only (scheme, host and port),
as Django's CSRF check accepts an unsafe HTTP request: through the full ASGI stack."""

from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings

from NetWorkMonitor.asgi import application
from tests.conftest import session_cookie


async def opens(user, host: bytes, origin: bytes | None, *extra_headers, scheme: str = "ws") -> bool:
    """Whether an echo socket of `user`, reaching `host` over `scheme` from `origin`, is accepted."""
    cookie = await database_sync_to_async(session_cookie)(user)
    headers = [(b"host", host), (b"cookie", f"{settings.SESSION_COOKIE_NAME}={cookie}".encode()), *extra_headers]
    if origin is not None:
        headers.append((b"origin", origin))
    communicator = WebsocketCommunicator(application, "/ws/echo/", headers=headers)
    communicator.scope["scheme"] = scheme  # read when the application first runs, at connect
    accepted, _ = await communicator.connect(timeout=30)
    if accepted:
        await communicator.send_json_to({"type": "ping"})
        assert await communicator.receive_json_from(timeout=30) == {"type": "pong"}
        await communicator.disconnect()
    return accepted


async def test_only_the_sites_own_scheme_host_and_port_open_a_socket(alice):
    outcomes = {
        (host, origin): await opens(alice, host, origin)
        for host, origin in [
            (b"localhost", b"http://localhost"),
            (b"localhost", b"http://localhost:5555"),
            (b"localhost", b"https://localhost"),
            (b"localhost", b"http://127.0.0.1"),
            (b"localhost", b"http://evil.example"),
            (b"localhost", b"null"),
            (b"localhost", None),
            (b"127.0.0.1:8000", b"http://127.0.0.1:8000"),
            (b"127.0.0.1:8000", b"http://127.0.0.1:9999"),
            (b"127.0.0.1:8000", b"https://127.0.0.1:8000"),
            (b"127.0.0.1:8000", b"http://localhost:8000"),
            (b"evil.example", b"http://evil.example"),  # a host not served here
        ]
    }
    assert [pair for pair, accepted in outcomes.items() if accepted] == [
        (b"localhost", b"http://localhost"),
        (b"127.0.0.1:8000", b"http://127.0.0.1:8000"),
    ]


async def test_behind_a_tls_proxy_the_origin_is_https_and_trusted_origins_are_honoured(alice, settings):
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.CSRF_TRUSTED_ORIGINS = ["https://*.example.net", "https://console.example.org"]
    tls = (b"x-forwarded-proto", b"https")
    assert await opens(alice, b"localhost", b"https://localhost", tls)
    assert not await opens(alice, b"localhost", b"http://localhost", tls)
    assert await opens(alice, b"localhost", b"https://ops.example.net", tls)
    assert await opens(alice, b"localhost", b"https://console.example.org", tls)
    assert not await opens(alice, b"localhost", b"http://ops.example.net", tls)
    assert not await opens(alice, b"localhost", b"https://console.example.org:8443", tls)


async def test_a_tls_socket_wants_an_https_origin(alice):
    assert await opens(alice, b"localhost", b"https://localhost", scheme="wss")
    assert not await opens(alice, b"localhost", b"http://localhost", scheme="wss")
