"""The "stats" group in one web process: each of its frames written to every dashboard here.

Every dashboard receives every frame of the "stats" group. The hub is this process's
one member of that group: it receives a frame once and writes its text to each of the
process's dashboard sockets. A socket of its own in the group would cost, per frame,
a channel queue, a task woken and a message decoded, and on connect a subscription.

The hub also keeps what a dashboard is sent on connect (stats.snapshot), loaded from
Redis and updated from the frames it relays. A connect then costs no Redis read, and a
socket gets that snapshot and then every later frame, with nothing falling between.
"""

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

from channels.layers import get_channel_layer

from core.contracts.groups import STATS_FRAME, STATS_GROUP
from core.per_loop import per_loop
from core.redis_io import redis_link
from core.supervision import supervised
from stats.snapshot import Snapshot

logger = logging.getLogger(__name__)

Send = Callable[[str], Awaitable[None]]
# The snapshot is read again from Redis this often: an agent removed in admin
# (stats.latest.forget) leaves the dashboards only through it.
REFRESH_S = 30.0
# Writes are queued, and daphne sends them on the next turn of the loop: letting it turn
# every so many sockets, the first sockets have the frame while the rest are queued
# (2,000 dashboards, the first received 36 ms after the sample before, 11 ms after).
YIELD_EVERY = 100


class StatsHub:
    def __init__(self) -> None:
        self.sockets: set[Send] = set()  # each dashboard socket's writer
        self.snapshot = Snapshot()
        self.started = asyncio.Lock()
        self.channel: str | None = None
        self.tasks: list[asyncio.Task] = []

    async def join(self, send: Send) -> list[str]:
        """Write every later frame to `send`; returns the frames to send it first.

        Raises one of redis_link.REDIS_DOWN while the hub cannot join the group.
        """
        if not self.running():
            async with self.started:
                if not self.running():
                    await self.stop()  # a relay ended by an error it did not expect (logged by asyncio)
                    await self._start()
        self.sockets.add(send)
        return self.snapshot.frames()

    def running(self) -> bool:
        return bool(self.tasks) and not any(task.done() for task in self.tasks)

    def leave(self, send: Send) -> None:
        self.sockets.discard(send)

    async def _start(self) -> None:
        layer = get_channel_layer()
        if self.channel is None:  # kept across failed starts: the layer holds a queue for it
            self.channel = await layer.new_channel("stats-hub.")
        await layer.group_add(STATS_GROUP, self.channel)
        # Joined before reading: a frame sent meanwhile waits in the channel, then applies.
        self.snapshot = await Snapshot.from_redis()
        loop, channel = asyncio.get_running_loop(), self.channel
        # Redis failing ends the relay: the next join makes a new channel and joins afresh.
        relaying = supervised("stats-hub", lambda: self._relay(layer, channel), ends_on=redis_link.REDIS_DOWN)
        self.tasks = [
            loop.create_task(relaying, name="stats-hub"),
            loop.create_task(supervised("stats-hub-refresh", self._refresh), name="stats-hub-refresh"),
        ]

    async def _relay(self, layer, channel: str) -> None:
        while True:
            message = await layer.receive(channel)
            if message.get("type") != STATS_FRAME:
                logger.warning("the stats group carried a %r message; dropped", message.get("type"))
                continue
            text = message["text"]
            self.snapshot.apply(text)
            for index, send in enumerate(list(self.sockets), 1):
                if index % YIELD_EVERY == 0:
                    await asyncio.sleep(0)
                try:
                    await send(text)
                except Exception:  # one closed socket must not stop the others
                    logger.debug("could not write a frame to a dashboard", exc_info=True)

    async def _refresh(self) -> None:
        while True:
            await asyncio.sleep(REFRESH_S)
            try:
                self.snapshot = await Snapshot.from_redis()
            except redis_link.REDIS_DOWN as error:  # the snapshot kept is the newer one anyway
                logger.info("stats snapshot not refreshed (%s)", error)

    async def stop(self) -> None:
        if not self.tasks:
            return
        for task in self.tasks:
            task.cancel()
            with contextlib.suppress(Exception, asyncio.CancelledError):
                await task
        self.tasks = []
        # Out of the group, so that a relay that ended by an error leaves no queue filling up.
        with contextlib.suppress(*redis_link.REDIS_DOWN):
            await get_channel_layer().group_discard(STATS_GROUP, self.channel)
        self.channel = None  # a new one is made: the layer dropped this one's queue with its receive


hub = per_loop(StatsHub)
