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
their sessions are read in one query, and those that share a session (one browser's
tabs) are read once.
"""

from importlib import import_module
from types import SimpleNamespace

from channels.db import database_sync_to_async
from channels.sessions import CookieMiddleware
from django.conf import settings
from django.contrib.auth import get_user
from django.contrib.sessions.backends import db
from django.utils import timezone

from core.batches import Batches
from core.per_loop import per_loop


def session_and_user(session_store, session_key: str | None):
    """Django's own checks: an unknown or expired session, or one whose password hash no longer
    matches (password changed), is an anonymous user; the latter is flushed."""
    session = session_store(session_key)
    user = get_user(SimpleNamespace(session=session))
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


class Lookups:
    """The sessions and users the handshakes on one event loop wait for, read in batches.

    The handshakes of one session in one batch share its session and user objects: sockets
    only read them. A handshake that arrives while its session is being read waits for the
    next trip, so no socket gets a session read before it arrived.
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
        """Each key's (session, user), or the error reading it (which fails that handshake alone)."""
        found, session_store = {}, prefetched(self.session_store, session_keys)
        for key in session_keys:
            try:
                found[key] = session_and_user(session_store, key)
            except Exception as error:
                found[key] = error
        return found


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
