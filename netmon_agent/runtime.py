"""The agent's loop: sample on the wall clock's interval boundaries, append each frame to its stream.

The agent keeps its own clock rather than waiting for ticks from the server: ticks
through Celery would need the broker's shared bookkeeping keys (`unacked`,
`_kombu.binding.*`), which no ACL can confine to one agent, and a clock of its own
keeps it sampling while the server's processes restart. Boundaries of the wall clock
keep every agent's samples in step, to the precision of NTP.
"""

import collections
import contextlib
import json
import logging
import math
import os
import socket
import threading
import time
import uuid
from collections.abc import Iterator

import redis

from netmon_agent import keys
from netmon_agent.sampler import Sampler

logger = logging.getLogger("netmon_agent")


class NameTaken(Exception):
    """Another running agent holds this name."""


class CredentialsRefused(Exception):
    """Redis refused these credentials for longer than the grace period: wrong, revoked, or another name's."""


class _RefusedForNow(Exception):
    """Refused within the grace period: Redis may have restarted without its users (the ingest restores them)."""


def encode(frame: dict) -> str:
    return json.dumps(frame, separators=(",", ":"), allow_nan=False)


def next_boundary(now: float, interval: float) -> float:
    """The first multiple of `interval` after `now`: when the next sample is due."""
    return (math.floor(now / interval) + 1) * interval


class Agent:
    def __init__(
        self,
        client: redis.Redis,
        name: str,
        prefix: str = keys.DEFAULT_PREFIX,
        interval: float = 1.0,
        sampler: Sampler | None = None,
        refused_grace_s: float = 30.0,
    ) -> None:
        self.client = client
        self.name = keys.check_name(name)
        self.interval = interval
        self.frames_key = keys.frames_key(prefix, name)
        self.lease_key = keys.lease_key(prefix, name)
        self.instance = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self.lease_ms = int(max(5.0, 5 * interval) * 1000)
        self.sampler = sampler or Sampler(name)
        # Frames Redis has not taken yet (it is restarting, or unreachable): sent, in
        # order, with the next frame that gets through. Bounded like the stream.
        self.unsent: collections.deque[str] = collections.deque(maxlen=keys.STREAM_MAXLEN)
        self._failing = False
        self.refused_grace_s = refused_grace_s
        self._refused_since: float | None = None

    def claim(self, wait_s: float | None = None) -> None:
        """Take the name's lease, waiting out the lease of a previous run (a restart).

        A lease that another agent keeps renewing means a second agent with this
        name: refused, instead of two hosts merged into one card.
        """
        deadline = time.monotonic() + (self.lease_ms / 1000 + 1 if wait_s is None else wait_s)
        while True:
            try:
                with self._refusals():
                    if self.client.set(self.lease_key, self.instance, nx=True, px=self.lease_ms):
                        return
                    holder = self.client.get(self.lease_key)
            except (_RefusedForNow, redis.ConnectionError, redis.TimeoutError):
                time.sleep(1.0)
                deadline = time.monotonic() + self.lease_ms / 1000 + 1  # the lease is only known once Redis answers
                continue
            if time.monotonic() >= deadline:
                held_by = holder.decode() if holder else "unknown"
                raise NameTaken(
                    f"agent name {self.name!r} is taken by another running agent ({held_by}): stop that one, "
                    "or give this host its own name and credentials (manage.py agents add NAME)"
                )
            time.sleep(0.2)

    def tick(self) -> dict:
        frame = self.sampler.sample()
        self.unsent.append(encode(frame))
        self.flush()
        return frame

    def flush(self) -> None:
        """Append what is unsent to the stream and renew the lease, in one round trip."""
        try:
            with self._refusals(), self.client.pipeline(transaction=False) as pipe:
                for text in self.unsent:
                    pipe.xadd(self.frames_key, {keys.FRAME_FIELD: text}, maxlen=keys.STREAM_MAXLEN, approximate=True)
                pipe.set(self.lease_key, self.instance, px=self.lease_ms)
                pipe.execute()
        except (redis.RedisError, _RefusedForNow) as error:
            if not self._failing:
                logger.warning("Redis does not take frames (%s); keeping them until it does", type(error).__name__)
            self._failing = True
            return
        if self._failing:
            logger.info("Redis answers again; sent %d kept frames", len(self.unsent))
        self._failing = False
        self.unsent.clear()

    def release(self) -> None:
        """Let a restart take the name at once. Expiring the lease needs no command beyond SET."""
        try:
            if self.client.get(self.lease_key) == self.instance.encode():
                self.client.set(self.lease_key, self.instance, px=1)
        except redis.RedisError:
            pass  # it expires by itself

    def run(self, stop: threading.Event) -> None:
        self.claim()
        logger.info("agent %r sampling every %s s", self.name, self.interval)
        try:
            due = next_boundary(time.time(), self.interval)
            while not stop.wait(max(0.0, due - time.time())):
                self.tick()
                # A tick that ran late skips the boundaries it missed: no burst of catch-up samples.
                due = next_boundary(max(due, time.time()), self.interval)
        finally:
            self.release()

    @contextlib.contextmanager
    def _refusals(self) -> Iterator[None]:
        """Redis's refusal of these credentials: retried for refused_grace_s, then CredentialsRefused.

        A Redis restarted without persistence has lost every agent's user until the ingest
        makes them again (within seconds); a revoked agent stays refused and stops.
        """
        try:
            yield
        except (redis.AuthenticationError, redis.exceptions.NoPermissionError) as error:
            now = time.monotonic()
            if self._refused_since is None:
                self._refused_since = now
                logger.warning("Redis refuses this agent (%s); retrying for %s s", error, self.refused_grace_s)
            if now - self._refused_since >= self.refused_grace_s:
                raise CredentialsRefused(
                    f"Redis refused the credentials of agent {self.name!r} ({error}): they were revoked, "
                    "or belong to another agent; `manage.py agents add NAME --replace` issues new ones"
                ) from error
            raise _RefusedForNow(str(error)) from error
        self._refused_since = None
