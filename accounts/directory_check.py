"""Sessions follow the directory: a directory account is read again every DIRECTORY_RECHECK_MINUTES.

Someone removed from the directory, or from every role's group, is signed out at their
first request after that bound (and their open sockets close, accounts.access); a
changed role applies at once. A directory that does not answer changes nothing: the
session goes on and is checked again at the next request after the bound.
"""

import logging
import time

import ldap
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, logout
from django.shortcuts import redirect

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
