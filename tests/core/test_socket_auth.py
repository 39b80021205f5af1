"""Who a WebSocket belongs to (core.sockets.socket_auth), through the full ASGI stack and on its own."""

import asyncio
from importlib import import_module
from types import SimpleNamespace

import pytest
from channels.db import database_sync_to_async
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user, get_user_model
from django.contrib.sessions.models import Session
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from core.contracts.groups import CLOSE_UNAUTHENTICATED
from core.sockets.socket_auth import lookups, read_sessions, with_session_user
from tests.conftest import session_cookie, socket
from tests.waits import EVENT_TIMEOUT_S


async def first_output(communicator) -> dict:
    accepted, _ = await communicator.connect()
    assert accepted  # accepted only to deliver the close code a browser can read
    return await communicator.receive_output(timeout=EVENT_TIMEOUT_S)


async def test_a_logged_in_session_opens_the_socket_as_its_user(alice):
    communicator = await socket("/ws/echo/", alice)
    accepted, _ = await communicator.connect()
    assert accepted
    await communicator.send_json_to({"type": "ping"})
    assert await communicator.receive_json_from(timeout=EVENT_TIMEOUT_S) == {"type": "pong"}
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


# --- the users of a trip, read in one query: Django's own judgement, case by case ---------

MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"
OLD_SECRET, NEW_SECRET = "an old secret key " * 3, "the new secret key " * 3


def signed_in_as(user, **changes) -> dict:
    data = {
        SESSION_KEY: str(user.pk),
        BACKEND_SESSION_KEY: MODEL_BACKEND,
        HASH_SESSION_KEY: user.get_session_auth_hash(),
    }
    return {key: value for key, value in {**data, **changes}.items() if value is not None}


SESSIONS = {
    "signed in": lambda alice, bob: signed_in_as(alice),
    "password changed since": lambda alice, bob: signed_in_as(alice, **{HASH_SESSION_KEY: "0" * 64}),
    "no password hash": lambda alice, bob: signed_in_as(alice, **{HASH_SESSION_KEY: None}),
    "inactive user": lambda alice, bob: signed_in_as(bob),
    "deleted user": lambda alice, bob: signed_in_as(alice, **{SESSION_KEY: "987654"}),
    "backend no longer configured": lambda alice, bob: signed_in_as(alice, **{BACKEND_SESSION_KEY: "gone.Backend"}),
    "another configured backend": lambda alice, bob: signed_in_as(
        alice, **{BACKEND_SESSION_KEY: settings.AUTHENTICATION_BACKENDS[0]}
    ),
    "never signed in": lambda alice, bob: {"theme": "dark"},
}


def judged(session, user, key: str) -> tuple:
    """What a handshake ends with: who, and what became of the session."""
    return (
        user.get_username() if user.is_authenticated else None,
        Session.objects.filter(session_key=key).exists(),  # flushed, or cycled to a new key, if not
        session.session_key == key,
        session.get(HASH_SESSION_KEY),
    )


def django_and_ours(data: dict) -> tuple:
    """How Django's get_user and read_sessions each judge a session of `data` (of its own
    copy): an error is judged by its type (a handshake that fails)."""
    store = import_module(settings.SESSION_ENGINE).SessionStore
    keys = []
    for _ in range(2):
        session = store()
        session.update(data)
        session.create()
        keys.append(session.session_key)
    django_session = store(keys[0])
    try:
        django_user = get_user(SimpleNamespace(session=django_session))
    except Exception as error:
        django = type(error)
    else:
        if django_session.modified and not django_session.is_empty():  # as a request's middleware saves it
            django_session.save()
        django = judged(django_session, django_user, keys[0])
    found = read_sessions(store, [keys[1]])[keys[1]]
    ours = type(found) if isinstance(found, Exception) else judged(*found, keys[1])
    return django, ours


@pytest.mark.parametrize("case", sorted(SESSIONS))
def test_a_session_is_judged_as_djangos_get_user_judges_it(alice, bob, case):
    bob.is_active = False
    bob.save()
    django, ours = django_and_ours(SESSIONS[case](alice, bob))
    assert ours == django


def test_a_session_signed_under_a_fallback_secret_is_cycled_as_django_cycles_it(alice):
    with override_settings(SECRET_KEY=OLD_SECRET):
        data = signed_in_as(alice)
    with override_settings(SECRET_KEY=NEW_SECRET, SECRET_KEY_FALLBACKS=[OLD_SECRET]):
        django, ours = django_and_ours(data)
    assert ours == django
    assert ours[:3] == ("alice", False, False)  # still alice, under a new session key


def test_the_users_of_a_trip_are_read_in_one_query(alice, bob):
    users = [alice, bob, *(get_user_model().objects.create_user(f"user{n}") for n in range(8))]
    keys = [session_cookie(user) for user in users for _ in range(2)]  # two tabs each
    store = import_module(settings.SESSION_ENGINE).SessionStore
    with CaptureQueriesContext(connection) as queries:
        found = read_sessions(store, keys)
    assert [found[key][1].get_username() for key in keys] == [user.get_username() for user in users for _ in range(2)]
    assert len(queries) == 2, [query["sql"] for query in queries]  # the sessions, then their users
