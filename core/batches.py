"""Calls that arrive while one trip is under way go together in the next: one trip for many.

In a storm of WebSocket handshakes (a web process died and its pages reconnect to the
others) every handshake reads its session, subscribes to its groups and takes a place
under its user's cap. One at a time, each is a hop to the database thread or a command
written to Redis of its own, and the handshakes queue behind each other; together, a
trip costs about what one did.
"""

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from typing import Generic, TypeVar

T = TypeVar("T")
R = TypeVar("R")


class Batches(Generic[T, R]):
    """Runs `run` on the items submitted while its previous call was under way.

    `run` gets the items in the order they came and returns one result per item, in
    the same order; a result that is an exception is raised to that item's caller alone.
    An exception out of `run` itself is raised to every caller of the batch. Belongs to
    the event loop it is first used on (see core.per_loop).
    """

    def __init__(self, run: Callable[[list[T]], Awaitable[Sequence[R | Exception]]]) -> None:
        self.run = run
        self.waiting: list[tuple[T, asyncio.Future]] = []  # for the next trip
        self.trip: asyncio.Task | None = None

    async def submit(self, item: T) -> R:
        future = asyncio.get_running_loop().create_future()
        self.waiting.append((item, future))
        if self.trip is None:
            self.trip = asyncio.create_task(self._trips())
        # A caller given up on (a client that left) must not cancel the others' trip.
        return await asyncio.shield(future)

    async def _trips(self) -> None:
        batch: list[tuple[T, asyncio.Future]] = []
        try:
            while self.waiting:
                batch, self.waiting = self.waiting, []
                try:
                    results = await self.run([item for item, _ in batch])
                except Exception as error:  # the trip itself failed: every call in it fails
                    results = [error] * len(batch)
                for (_, future), result in zip(batch, results, strict=True):
                    if isinstance(result, Exception):
                        future.set_exception(result)
                    else:
                        future.set_result(result)
        finally:
            self.trip = None
            # Only when the trip was cancelled (its loop closing) are any left: nobody waits for ever.
            for _, future in [*batch, *self.waiting]:
                if not future.done():
                    future.cancel()
            self.waiting = []
