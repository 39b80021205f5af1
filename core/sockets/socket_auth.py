"""Who opened a WebSocket: its session and user, read for many handshakes in one trip to the
database thread.

Channels' AuthMiddlewareStack takes two trips per handshake (the session store, then the
user) and wraps the socket's send, so that it can save a changed session on accept: on
every frame sent it asks the session whether it changed and is empty. A web process
fanning a frame out to 1,000 dashboards spent about a tenth of its busy time there
(py-spy). Sockets here only read the session (logins and logouts are HTTP requests), so
the send is left as it is.

In a storm of handshakes (a web process died and its pages reconnect to the others) the
process's one database thread was the queue every handshake waited in, one trip each.
Here the handshakes that arrive while a trip is under way go together in the next one:
their sessions are read in one query, their users in another, and those that share a
session (one browser's tabs) are read once.
"""

from importlib import import_module

from channels.db import database_sync_to_async
from channels.sessions import CookieMiddleware
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model, load_backend
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import AnonymousUser
from django.contrib.sessions.backends import db
from django.utils import timezone
from django.utils.crypto import constant_time_compare

from core.per_loop import per_loop
from core.redis_io.batches import Batches


def signed_in(session) -> tuple[object, str] | None:
    """The user id and backend path the session was signed in with, None if it was not."""
    try:
        return get_user_model()._meta.pk.to_python(session[SESSION_KEY]), session[BACKEND_SESSION_KEY]
    except KeyError:
        return None


def user_of(session, signed: tuple[object, str] | None, users: dict):
    """django.contrib.auth.get_user (Django 5.2) for a session `signed` in as it says, with
    ModelBackend's read of the user taken from `users`, read for a whole trip in one query:
    an unknown or inactive user, or a session whose password hash no longer matches (password
    changed), is anonymous. tests/core/test_socket_auth.py holds it to Django's own, case by case."""
    if signed is None or signed[1] not in settings.AUTHENTICATION_BACKENDS:
        return AnonymousUser()
    user_id, backend_path = signed
    backend = load_backend(backend_path)
    if type(backend) is ModelBackend:
        user = users.get(user_id)
        if user is not None and not backend.user_can_authenticate(user):
            user = None
    else:
        user = backend.get_user(user_id)
    if hasattr(user, "get_session_auth_hash") and not hash_verified(session, user):
        user = None
    return user or AnonymousUser()


def hash_verified(session, user) -> bool:
    """Django's check of the password hash the session was signed in with: one made under a
    SECRET_KEY_FALLBACKS key cycles the session's key; one that matches nothing flushes it."""
    session_hash = session.get(HASH_SESSION_KEY)
    current_hash = user.get_session_auth_hash()
    if session_hash and constant_time_compare(session_hash, current_hash):
        return True
    if session_hash and any(
        constant_time_compare(session_hash, fallback_hash) for fallback_hash in user.get_session_auth_fallback_hash()
    ):
        session.cycle_key()
        session[HASH_SESSION_KEY] = current_hash
        return True
    session.flush()
    return False


def session_and_user(session, signed: tuple[object, str] | None, users: dict):
    user = user_of(session, signed, users)
    if session.modified and not session.is_empty():  # a key cycled for SECRET_KEY_FALLBACKS
        session.save()
    return session, user


def prefetched(session_store, session_keys: list[str | None]):
    """`session_store`, with the rows of `session_keys` read here in one query when sessions are
    kept in the database (each would otherwise be a query of its own)."""
    if not issubclass(session_store, db.SessionStore):
        return session_store
    rows = (
        session_store.get_model_class()
        .objects.filter(expire_date__gt=timezone.now())
        .in_bulk([key for key in session_keys if key])
    )

    class Prefetched(session_store):
        def _get_session_from_db(self):
            row = rows.get(self.session_key)
            if row is None:  # unknown or expired: as the store's own read does
                self._session_key = None
            return row

    # Session data is signed under the store class's name (SessionBase.key_salt).
    Prefetched.__qualname__ = session_store.__qualname__
    return Prefetched


def read_sessions(session_store, session_keys: list[str | None]) -> dict:
    """Each key's (session, user), or the error reading it (which fails that handshake alone):
    the sessions in one query, then their users in another."""
    session_store = prefetched(session_store, session_keys)
    sessions = {key: session_store(key) for key in session_keys}
    signatures, found = {}, {}
    for key, session in sessions.items():
        try:
            signatures[key] = signed_in(session)
        except Exception as error:
            found[key] = error
    user_ids = {signed[0] for signed in signatures.values() if signed is not None}
    users = get_user_model()._default_manager.in_bulk(user_ids)  # no query when there are none
    for key, signed in signatures.items():
        try:
            found[key] = session_and_user(sessions[key], signed, users)
        except Exception as error:
            found[key] = error
    return found


class Lookups:
    """The sessions and users the handshakes on one event loop wait for, read in batches.

    The handshakes in one batch share each user's object, and those of one session its
    session object: sockets only read them. A handshake that arrives while its session is
    being read waits for the next trip, so no socket gets a session read before it arrived.
    """

    def __init__(self) -> None:
        self.session_store = import_module(settings.SESSION_ENGINE).SessionStore
        self.batches = Batches(self._read_each)

    async def get(self, session_key: str | None):
        return await self.batches.submit(session_key)

    async def _read_each(self, session_keys: list[str | None]) -> list:
        found = await self._read(list(dict.fromkeys(session_keys)))  # each session once
        return [found[key] for key in session_keys]

    @database_sync_to_async
    def _read(self, session_keys: list[str | None]) -> dict:
        return read_sessions(self.session_store, session_keys)


lookups = per_loop(Lookups)


class SessionUserMiddleware:
    """Puts "session" and "user" in the scope, as Channels' SessionMiddleware and AuthMiddleware do."""

    def __init__(self, inner) -> None:
        self.inner = inner

    async def __call__(self, scope, receive, send):
        session, user = await lookups().get(scope["cookies"].get(settings.SESSION_COOKIE_NAME))
        return await self.inner({**scope, "session": session, "user": user}, receive, send)


def with_session_user(inner):
    """Cookies parsed, then the session and user read: what Channels' AuthMiddlewareStack gives, cheaper."""
    return CookieMiddleware(SessionUserMiddleware(inner))
