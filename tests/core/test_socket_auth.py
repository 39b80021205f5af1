"""Who a WebSocket belongs to (core.socket_auth), through the full ASGI stack and on its own."""

import asyncio

import pytest
from channels.db import database_sync_to_async
from django.conf import settings
from django.contrib.sessions.models import Session

from core.groups import CLOSE_UNAUTHENTICATED
from core.socket_auth import lookups, with_session_user
from tests.conftest import session_cookie, socket


async def first_output(communicator) -> dict:
    accepted, _ = await communicator.connect()
    assert accepted  # accepted only to deliver the close code a browser can read
    return await communicator.receive_output(timeout=5)


async def test_a_logged_in_session_opens_the_socket_as_its_user(alice):
    communicator = await socket("/ws/echo/", alice)
    accepted, _ = await communicator.connect()
    assert accepted
    await communicator.send_json_to({"type": "ping"})
    assert await communicator.receive_json_from(timeout=5) == {"type": "pong"}
    await communicator.disconnect()


@pytest.mark.parametrize("cookie", ["", "not-a-session-key", "x" * 40])
async def test_no_session_or_an_unknown_one_is_closed_as_anonymous(alice, cookie):
    communicator = await socket("/ws/echo/", alice, cookie=cookie) if cookie else await socket("/ws/echo/")
    assert await first_output(communicator) == {"type": "websocket.close", "code": CLOSE_UNAUTHENTICATED}


async def test_a_session_from_before_a_password_change_is_anonymous_and_ended(alice):
    cookie = await database_sync_to_async(session_cookie)(alice)
    alice.set_password("a new and different password")
    await alice.asave()
    communicator = await socket("/ws/echo/", alice, cookie=cookie)
    assert await first_output(communicator) == {"type": "websocket.close", "code": CLOSE_UNAUTHENTICATED}
    assert not await Session.objects.filter(session_key=cookie).aexists()  # flushed, as Django does


async def test_the_socket_sends_through_the_servers_own_send(alice):
    """Nothing is wrapped around send: each frame goes straight to the server (no session checks per frame)."""
    seen = {}

    async def inner(scope, receive, send):
        seen.update(user=scope["user"], session_key=scope["session"].session_key, send=send)

    async def server_send(message):
        raise AssertionError("not called here")

    cookie = await database_sync_to_async(session_cookie)(alice)
    scope = {"type": "websocket", "headers": [(b"cookie", f"{settings.SESSION_COOKIE_NAME}={cookie}".encode())]}
    await with_session_user(inner)(scope, None, server_send)
    assert seen == {"user": alice, "session_key": cookie, "send": server_send}


async def test_handshakes_arriving_together_read_in_one_trip_and_a_shared_session_once(alice, bob):
    """A storm of handshakes queues for one database thread: together they take one trip, and
    one browser's tabs (one session) are read once, each still getting its own user."""
    alice_cookie = await database_sync_to_async(session_cookie)(alice)
    bob_cookie = await database_sync_to_async(session_cookie)(bob)
    trips, seen = [], []
    here = lookups()
    read = here._read

    async def counted_read(session_keys):
        trips.append(sorted(session_keys))
        return await read(session_keys)

    here._read = counted_read

    async def inner(scope, receive, send):
        seen.append(scope["user"].username if scope["user"].is_authenticated else None)

    def scope(cookie: str) -> dict:
        return {"type": "websocket", "headers": [(b"cookie", f"{settings.SESSION_COOKIE_NAME}={cookie}".encode())]}

    cookies = [alice_cookie] * 10 + [bob_cookie] * 10 + ["not-a-session-key"]
    await asyncio.gather(*(with_session_user(inner)(scope(cookie), None, None) for cookie in cookies))
    assert trips == [sorted([alice_cookie, bob_cookie, "not-a-session-key"])]
    assert sorted(seen, key=str) == sorted(["alice"] * 10 + ["bob"] * 10 + [None], key=str)
