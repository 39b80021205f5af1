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
        self.in_flight: list[tuple[T, asyncio.Future]] = []  # in the trip under way
        self.trip: asyncio.Task | None = None

    async def submit(self, item: T) -> R:
        future = asyncio.get_running_loop().create_future()
        self.waiting.append((item, future))
        if self.trip is None:
            self.trip = asyncio.create_task(self._trips())
            self.trip.add_done_callback(self._trip_ended)
        # A caller given up on (a client that left) must not cancel the others' trip.
        return await asyncio.shield(future)

    async def _trips(self) -> None:
        while self.waiting:
            self.in_flight, self.waiting = self.waiting, []
            try:
                results = await self.run([item for item, _ in self.in_flight])
            except Exception as error:  # the trip itself failed: every call in it fails
                results = [error] * len(self.in_flight)
            for (_, future), result in zip(self.in_flight, results, strict=True):
                if isinstance(result, Exception):
                    future.set_exception(result)
                else:
                    future.set_result(result)
            self.in_flight = []
        self.trip = None  # in the same step as the last look at `waiting`: a later call starts a trip

    def _trip_ended(self, trip: asyncio.Task) -> None:
        """A trip that did not finish its run (cancelled as its loop closes) leaves nobody waiting for ever.

        A done callback, not a `finally`: a task cancelled before its first step never runs
        its coroutine at all, and a loop closing cancels a trip created in its last step so.
        """
        if self.trip is not trip:
            return  # it finished
        self.trip = None
        for _, future in [*self.in_flight, *self.waiting]:
            future.cancel()
        self.in_flight, self.waiting = [], []
