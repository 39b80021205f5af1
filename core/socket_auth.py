"""Who opened a WebSocket: its session and user, read in one trip to the database thread.

Channels' AuthMiddlewareStack takes two trips (the session store, then the user) and
wraps the socket's send, so that it can save a changed session on accept: on every
frame sent it asks the session whether it changed and is empty. A web process fanning
a frame out to 1,000 dashboards spent about a tenth of its busy time there (py-spy), and
a storm of handshakes queued twice for the one database thread. Sockets here only read
the session (logins and logouts are HTTP requests), so it is read once and the send is
left as it is.
"""

from importlib import import_module
from types import SimpleNamespace

from channels.db import database_sync_to_async
from channels.sessions import CookieMiddleware
from django.conf import settings
from django.contrib.auth import get_user


class SessionUserMiddleware:
    """Puts "session" and "user" in the scope, as Channels' SessionMiddleware and AuthMiddleware do."""

    def __init__(self, inner) -> None:
        self.inner = inner
        self.session_store = import_module(settings.SESSION_ENGINE).SessionStore

    async def __call__(self, scope, receive, send):
        session_key = scope["cookies"].get(settings.SESSION_COOKIE_NAME)
        session, user = await self.session_and_user(session_key)
        return await self.inner({**scope, "session": session, "user": user}, receive, send)

    @database_sync_to_async
    def session_and_user(self, session_key: str | None):
        session = self.session_store(session_key)
        # Django's own checks: an unknown or expired session, or one whose password hash no
        # longer matches (password changed), is an anonymous user; the latter is flushed.
        user = get_user(SimpleNamespace(session=session))
        if session.modified and not session.is_empty():  # a key cycled for SECRET_KEY_FALLBACKS
            session.save()
        return session, user


def with_session_user(inner):
    """Cookies parsed, then the session and user read: what Channels' AuthMiddlewareStack gives, cheaper."""
    return CookieMiddleware(SessionUserMiddleware(inner))
