"""Whether this web process reaches Redis, told to its sockets' pages.

Live frames come through Redis. When it stops answering, each open socket is told
`{"type": "link", "live": false}` and the page shows that its data has stopped; when it
answers again (or answers as a new server: a restart or a failover, seen by its run id),
each socket joins its groups again, sends its page's initial state again and then
`{"type": "link", "live": true}`, on which the page fills the gap from the history API.
The socket itself stays open throughout: the browser has nothing to reconnect.
"""

import asyncio
import logging
import weakref
from typing import Protocol

import redis
import redis.asyncio
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff

from core.per_loop import per_loop
from core.redis_io.redis_clients import async_client

logger = logging.getLogger(__name__)

WATCH_EVERY_S = 0.5  # a restart is noticed within this, plus one ping's timeout
PING_TIMEOUT_S = 1.0
REDIS_DOWN = (redis.RedisError, OSError, TimeoutError)


class LinkedSocket(Protocol):
    async def link_changed(self, live: bool) -> None: ...


class Link:
    def __init__(self) -> None:
        # Its own connection, without redis-py's retries: one look is one quick try.
        self.client = async_client(
            socket_timeout=PING_TIMEOUT_S, socket_connect_timeout=PING_TIMEOUT_S, retry=Retry(NoBackoff(), 0)
        )
        self.live = True
        self.server: str | None = None  # Redis's run id, when last answered
        # Each socket, and what it was last told (a socket whose catching up failed is told again).
        self.told: weakref.WeakKeyDictionary[LinkedSocket, bool] = weakref.WeakKeyDictionary()
        self.task: asyncio.Task | None = None

    def watch(self, socket: LinkedSocket) -> None:
        self.told[socket] = True
        if self.task is None or self.task.done():
            self.task = asyncio.create_task(self._watch_forever(), name="redis-link")

    def unwatch(self, socket: LinkedSocket) -> None:
        self.told.pop(socket, None)

    async def lost(self) -> None:
        """A socket's own call to Redis failed: tell every socket now, not at the next look."""
        self._become(False)
        await self._tell()

    async def look(self) -> None:
        server = await self._server()
        if server is not None and server != self.server and self.server is not None and self.live:
            logger.warning("Redis restarted or failed over; sockets join their groups again")
            self._become(False)
            await self._tell()
        if server is not None:
            self.server = server
        self._become(server is not None)
        await self._tell()

    async def _server(self) -> str | None:
        try:
            return (await self.client.info("server"))["run_id"]
        except REDIS_DOWN:
            _unless_cancelled()
            return None

    def _become(self, live: bool) -> None:
        if live != self.live:
            logger.log(logging.INFO if live else logging.WARNING, "Redis %s", "answers" if live else "unreachable")
        self.live = live

    async def _tell(self) -> None:
        behind = [socket for socket, told in list(self.told.items()) if told != self.live]
        results = await asyncio.gather(*(socket.link_changed(self.live) for socket in behind), return_exceptions=True)
        failed = [error for error in results if isinstance(error, Exception)]
        for socket, result in zip(behind, results, strict=True):
            if not isinstance(result, Exception) and socket in self.told:
                self.told[socket] = self.live
        if failed:
            error = failed[0]
            logger.warning(
                "%d socket(s) not caught up yet (%s: %s); trying again", len(failed), type(error).__name__, error
            )

    async def _watch_forever(self) -> None:
        while self.told:
            try:
                await self.look()
            except Exception:  # the watch must outlive any one failure
                _unless_cancelled()
                logger.exception("Redis link watch failed; watching on")
            await asyncio.sleep(WATCH_EVERY_S)


def _unless_cancelled() -> None:
    """redis-py may turn a cancellation into its own error: the watch must still stop when cancelled."""
    if asyncio.current_task().cancelling():
        raise asyncio.CancelledError


link = per_loop(Link)
