"""Sessions follow the directory: a directory account is read again every DIRECTORY_RECHECK_MINUTES.

Twice over: at a session's first request after that bound (the middleware), and for
every open directory session by the beat (`recheck_open_sessions`), so that a page left
open without a request is cut off too. Someone removed from the directory, or from every
role's group, is then deactivated: signed out, their open sockets closed
(accounts.access); a changed role applies at once. A directory that does not answer
changes nothing: the session goes on and is checked again after the bound.
"""

import logging
import time

import ldap
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, SESSION_KEY, get_user_model, logout
from django.contrib.sessions.models import Session
from django.shortcuts import redirect
from django.utils import timezone

from accounts.directory import DirectoryBackend

logger = logging.getLogger(__name__)

CHECKED_AT_KEY = "directory_checked_at"
DIRECTORY_BACKEND = f"{DirectoryBackend.__module__}.{DirectoryBackend.__qualname__}"


def due(session, now: float) -> bool:
    if session.get(BACKEND_SESSION_KEY) != DIRECTORY_BACKEND:
        return False
    if CHECKED_AT_KEY not in session:  # signed in just now: the directory was asked then
        session[CHECKED_AT_KEY] = now
        return False
    return now - session[CHECKED_AT_KEY] >= settings.DIRECTORY_RECHECK_MINUTES * 60


class DirectoryRecheckMiddleware:
    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request):
        if settings.SESSION_COOKIE_NAME not in request.COOKIES:
            # No session to check; and asking for request.user would mark the session read, which
            # adds "Vary: Cookie" to what everyone gets (a public status page could not be shared).
            return self.get_response(request)
        now = time.time()
        if request.user.is_authenticated and due(request.session, now):
            try:
                allowed = DirectoryBackend().recheck(request.user)
            except ldap.LDAPError:
                logger.warning("the directory did not answer; %s is checked again later", request.user)
                allowed = True
            if not allowed:
                logout(request)
                return redirect(settings.LOGIN_URL)
            request.session[CHECKED_AT_KEY] = now
        return self.get_response(request)


def directory_session_users() -> set[int]:
    """The accounts of the unexpired sessions signed in through the directory."""
    users = set()
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        data = session.get_decoded()
        if data.get(BACKEND_SESSION_KEY) == DIRECTORY_BACKEND and SESSION_KEY in data:
            users.add(int(data[SESSION_KEY]))
    return users


def recheck_open_sessions() -> int:
    """Ask the directory about every account with an open directory session; returns how many it cut off."""
    if DIRECTORY_BACKEND not in settings.AUTHENTICATION_BACKENDS:
        return 0
    cut_off = 0
    backend = DirectoryBackend()
    for user in get_user_model().objects.filter(pk__in=directory_session_users(), is_active=True):
        try:
            cut_off += not backend.recheck(user)
        except ldap.LDAPError:
            logger.warning("the directory did not answer; open sessions are checked again later")
            break
    return cut_off
