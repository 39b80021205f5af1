"""A guard on every socket a block of code opens: the destination policy at each connect, and a deadline.

Libraries such as Apprise resolve names and follow redirects themselves, out of our
reach. Python raises an audit event (`socket.connect`, `socket.sendto`,
`socket.sendmsg`) with the very address a socket is about to reach, after any name was
resolved and for every redirect: refusing there leaves no gap between the check and
the connect (a name cannot change its answer in between). The guard applies to the
code inside `guarded()` and to threads started with a copy of its context (Apprise's
worker threads are).

When the time is up every socket opened inside is shut down, which wakes a thread
blocked reading from a server that never answers: a send cannot outlast its bound.
"""

import contextlib
import contextvars
import socket
import sys
import threading
import weakref
from collections.abc import Iterator
from contextlib import contextmanager

from core.security import destinations

WATCHED_EVENTS = frozenset({"socket.connect", "socket.sendto", "socket.sendmsg"})


class DestinationRefused(PermissionError):
    """A connection the destination policy does not allow (or one attempted after the deadline)."""


class Guard:
    def __init__(self) -> None:
        self.sockets: weakref.WeakSet[socket.socket] = weakref.WeakSet()
        self.refused: list[str] = []  # why connections were refused, for the caller to report
        self.expired = False
        self.timed_out = False
        self.lock = threading.Lock()

    def admit(self, sock: socket.socket, address) -> None:
        problem = self._problem(sock, address)
        with self.lock:
            if problem is None and self.expired:
                problem = "the time for this delivery is up"
            if problem:
                self.refused.append(problem)
                raise DestinationRefused(problem)
            self.sockets.add(sock)

    @staticmethod
    def _problem(sock: socket.socket, address) -> str | None:
        if address is None:  # sendmsg on a connected socket: its connect was checked
            return None
        if sock.family not in (socket.AF_INET, socket.AF_INET6):
            return "only IP destinations are allowed"
        return destinations.refusal(str(address[0]))

    def time_up(self) -> None:
        self.timed_out = True
        self.cut()

    def cut(self) -> None:
        """Refuse further connects and shut down every socket opened so far."""
        with self.lock:
            self.expired = True
            sockets = list(self.sockets)
        for sock in sockets:
            with contextlib.suppress(OSError):  # closed already, or never connected
                sock.shutdown(socket.SHUT_RDWR)


_current: contextvars.ContextVar[Guard | None] = contextvars.ContextVar("connect_guard", default=None)
_installed = threading.Lock()
_hook_added = False


def _audit(event: str, args: tuple) -> None:
    if event in WATCHED_EVENTS and (guard := _current.get()) is not None:
        guard.admit(*args[:2])


def _install() -> None:
    # An audit hook cannot be removed: it is added once per process, and does nothing outside guarded().
    global _hook_added
    with _installed:
        if not _hook_added:
            sys.addaudithook(_audit)
            _hook_added = True


@contextmanager
def guarded(seconds: float) -> Iterator[Guard]:
    """Connections made inside pass the destination policy; after `seconds` (or on leaving) they are cut."""
    _install()
    guard = Guard()
    token = _current.set(guard)
    timer = threading.Timer(seconds, guard.time_up)
    timer.daemon = True
    timer.start()
    try:
        yield guard
    finally:
        timer.cancel()
        guard.cut()
        _current.reset(token)
