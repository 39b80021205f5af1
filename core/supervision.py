"""Forever loops kept running: one that fails is logged, started again after a back-off, and named by /healthz.

A long-running process (the ingest, a web process) does its work in loops that should
never end. An error nobody expected would end one silently while the process stays up
and its health check says ok. So each runs under `supervised` (a coroutine) or
`supervised_thread`: an exception (or an unexpected return) is logged with its
traceback, the part is marked down, and after a back-off that doubles from
BACKOFF_FIRST_S up to BACKOFF_MAX_S it is started again and marked up.

Marks are kept in this process, for this process's /healthz; a part with `shared=True`
is also marked in Redis, so that /healthz of a web process names a part of the ingest.
"""

import asyncio
import logging
import threading
import time
from collections.abc import Awaitable, Callable

import redis
from django.conf import settings

from core.redis_io.redis_clients import sync_redis

logger = logging.getLogger(__name__)

BACKOFF_FIRST_S = 0.5
BACKOFF_MAX_S = 30.0  # a part that keeps failing is tried twice a minute, its log not flooded
STEADY_S = 60.0  # a part that ran this long before failing starts again from the first back-off

_down: dict[str, float] = {}  # part -> since when it is down (unix s), in this process
_lock = threading.Lock()


def down_key() -> str:
    """Hash of the shared parts now down -> since when (unix s)."""
    return f"{settings.REDIS_PREFIX}:health:down"


def down_parts() -> dict[str, float]:
    """Every part not running now: this process's, and the shared ones while Redis answers."""
    try:
        shared = {name.decode(): float(since) for name, since in sync_redis().hgetall(down_key()).items()}
    except redis.RedisError:  # named by the health check of Redis itself
        shared = {}
    with _lock:
        return {**shared, **_down}


def mark(part: str, down: bool, shared: bool) -> None:
    with _lock:
        if down:
            _down.setdefault(part, time.time())
        else:
            _down.pop(part, None)
    if not shared:
        return
    try:
        if down:
            sync_redis().hsetnx(down_key(), part, repr(time.time()))
        else:
            sync_redis().hdel(down_key(), part)
    except redis.RedisError as error:  # /healthz names Redis itself meanwhile
        logger.warning("could not record that %s is %s (%s)", part, "down" if down else "running", error)


class Backoff:
    def __init__(self) -> None:
        self.delay = BACKOFF_FIRST_S

    def after(self, ran_for: float) -> float:
        """How long to wait before the next start, for a part that ran `ran_for` seconds."""
        if ran_for >= STEADY_S:
            self.delay = BACKOFF_FIRST_S
        delay, self.delay = self.delay, min(2 * self.delay, BACKOFF_MAX_S)
        return delay


def _failed(part: str, error: BaseException | None, delay: float) -> None:
    if error is None:
        logger.error("%s stopped although it should run for ever; starting it again in %.1f s", part, delay)
    else:
        logger.error("%s failed; starting it again in %.1f s", part, delay, exc_info=error)


async def supervised(
    part: str, run: Callable[[], Awaitable[None]], shared: bool = False, ends_on: tuple[type[Exception], ...] = ()
) -> None:
    """Await `run()` for ever, starting it again whenever it fails. Ends when cancelled, or by raising
    one of `ends_on`: failures its owner recovers from in its own way (joining a group afresh)."""
    backoff = Backoff()
    try:
        while True:
            await _mark_async(part, False, shared)
            started, error = time.monotonic(), None
            try:
                await run()
            except ends_on:
                raise
            except Exception as caught:
                error = caught
            delay = backoff.after(time.monotonic() - started)
            _failed(part, error, delay)
            await _mark_async(part, True, shared)
            await asyncio.sleep(delay)
    finally:
        mark(part, False, shared)  # stopped on purpose (cancelled): not a part that failed


async def _mark_async(part: str, down: bool, shared: bool) -> None:
    if shared:  # a Redis call: off the event loop
        await asyncio.to_thread(mark, part, down, shared)
    else:
        mark(part, down, shared)


def supervised_thread(
    part: str, run: Callable[[], None], stop: threading.Event, shared: bool = False
) -> threading.Thread:
    """Start a thread that calls `run()` until `stop` is set, starting it again whenever it fails."""

    def keep_running() -> None:
        backoff = Backoff()
        while not stop.is_set():
            mark(part, False, shared)
            started, error = time.monotonic(), None
            try:
                run()
            except Exception as caught:
                error = caught
            if stop.is_set():
                if error is not None:
                    logger.error("%s failed while stopping", part, exc_info=error)
                break
            delay = backoff.after(time.monotonic() - started)
            _failed(part, error, delay)
            mark(part, True, shared)
            stop.wait(delay)
        mark(part, False, shared)  # stopped on purpose

    thread = threading.Thread(target=keep_running, name=part)
    thread.start()
    return thread
