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


def start_loop_thread(name: str) -> asyncio.AbstractEventLoop:
    """A long-lived event loop running in a daemon thread."""
    loop = asyncio.new_event_loop()
    threading.Thread(target=loop.run_forever, name=name, daemon=True).start()
    return loop


async def send_frames(frames: Iterable[Frame]) -> None:
    """Send each encoded frame to its group, all at once, from the running loop."""
    layer = get_channel_layer()
    await asyncio.gather(*(layer.group_send(group, {"type": kind, "text": text}) for group, kind, text in frames))


class Publisher:
    def __init__(self) -> None:
        self._loop = start_loop_thread("publisher")

    def publish(self, frames: Iterable[Frame], timeout: float = 5.0) -> None:
        """Send `frames`; raises when Redis does not take them within `timeout`."""
        self.run(send_frames(list(frames)), timeout)

    def run(self, coroutine: Coroutine, timeout: float = 5.0):
        """Run `coroutine` on the publisher's loop and wait for its result."""
        future = asyncio.run_coroutine_threadsafe(coroutine, self._loop)
        try:
            return future.result(timeout)
        except TimeoutError:
            future.cancel()
            raise


@functools.cache
def publisher() -> Publisher:
    """This process's publisher, started on first use."""
    return Publisher()
