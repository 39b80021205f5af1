"""One object per event loop: asyncio objects (clients, locks, tasks) belong to the loop that made them.

A web process runs one loop, but tests and `async_to_sync` run others; each gets its own
object, dropped with its loop.
"""

import asyncio
import weakref
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def per_loop(make: Callable[[], T]) -> Callable[[], T]:
    """A function returning the running loop's own `make()`, made on first use."""
    made: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, T] = weakref.WeakKeyDictionary()

    def here() -> T:
        loop = asyncio.get_running_loop()
        try:
            return made[loop]
        except KeyError:
            made[loop] = thing = make()
            return thing

    return here
