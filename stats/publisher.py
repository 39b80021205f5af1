"""Publishes encoded stats frames from a sync Celery worker to the `stats` group."""

import asyncio

from channels.layers import get_channel_layer

from NetWorkMonitor.loop_thread import start_loop_thread
from stats import latest

STATS_GROUP = "stats"


class FramePublisher:
    """Sends each frame once to the channel layer, from one long-lived event loop.

    `async_to_sync(layer.group_send)` would build a new event loop and Redis
    connection on every call (about 5 ms each); this loop lives for the life of
    the worker process, so its connections are reused.
    """

    def __init__(self) -> None:
        self._layer = get_channel_layer()
        self._loop = start_loop_thread("frame-publisher")

    def publish(self, host: str, text: str, timeout: float = 2.0) -> None:
        """Send `text` (an encoded frame) to every dashboard; raises if Redis fails."""
        future = asyncio.run_coroutine_threadsafe(self._publish(host, text), self._loop)
        try:
            future.result(timeout)
        except TimeoutError:
            future.cancel()
            raise

    async def _publish(self, host: str, text: str) -> None:
        await asyncio.gather(
            self._layer.group_send(STATS_GROUP, {"type": "stats.frame", "text": text}),
            latest.remember(host, text),
        )
