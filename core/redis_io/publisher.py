"""The one way sync code sends frames to channel-layer groups.

Celery workers and the checks runner's writer thread are sync. `async_to_sync(group_send)`
would build a new event loop and new Redis connections on every call (about 5 ms each);
the publisher keeps one loop in a daemon thread for the life of the process, so its
connections are reused.
"""

import asyncio
import functools
import threading
from collections.abc import Coroutine, Iterable

from channels.layers import get_channel_layer

# (group, message type, encoded frame)
Frame = tuple[str, str, str]


class LoopThread:
    """A long-lived event loop in a daemon thread, for sync code to run coroutines on."""

    def __init__(self, name: str) -> None:
        self.loop = asyncio.new_event_loop()
        threading.Thread(target=self.loop.run_forever, name=name, daemon=True).start()

    def run(self, coroutine: Coroutine, timeout: float):
        """Run `coroutine` on the loop and wait for its result; on timeout it is cancelled
        (nothing is left running that nobody waits for) and TimeoutError raised."""
        future = asyncio.run_coroutine_threadsafe(coroutine, self.loop)
        try:
            return future.result(timeout)
        except TimeoutError:
            future.cancel()
            raise


async def send_frames(frames: Iterable[Frame]) -> None:
    """Send each encoded frame to its group, all at once, from the running loop."""
    layer = get_channel_layer()
    messages = [(group, {"type": kind, "text": text}) for group, kind, text in frames]
    if hasattr(layer, "group_send_many"):  # the project's layer (core.redis_io.channel_layer): one round trip
        await layer.group_send_many(messages)
        return
    await asyncio.gather(*(layer.group_send(group, message) for group, message in messages))


class Publisher(LoopThread):
    def __init__(self) -> None:
        super().__init__("publisher")

    def publish(self, frames: Iterable[Frame], timeout: float = 5.0) -> None:
        """Send `frames`; raises when Redis does not take them within `timeout`."""
        self.run(send_frames(list(frames)), timeout)


@functools.cache
def publisher() -> Publisher:
    """This process's publisher, started on first use."""
    return Publisher()
