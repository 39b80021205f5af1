"""Calls that arrive while one trip is under way go together in the next (core.redis_io.batches)."""

import asyncio

import pytest

from core.redis_io.batches import Batches
from tests.waits import EVENT_TIMEOUT_S


class Recorder:
    """A trip that records each batch and waits to be let go, answering each item doubled."""

    def __init__(self) -> None:
        self.batches: list[list[int]] = []
        self.go = asyncio.Event()

    async def run(self, items: list[int]) -> list:
        self.batches.append(items)
        await self.go.wait()
        return [ValueError(f"no {item}") if item < 0 else item * 2 for item in items]


async def test_calls_made_while_a_trip_is_under_way_go_together_in_the_next():
    recorder = Recorder()
    batches = Batches(recorder.run)
    first = asyncio.ensure_future(batches.submit(1))
    await asyncio.sleep(0)  # the first trip starts with the first call alone
    later = [asyncio.ensure_future(batches.submit(n)) for n in (2, 3, 4)]
    await asyncio.sleep(0)
    assert recorder.batches == [[1]]
    recorder.go.set()
    assert await first == 2
    assert await asyncio.gather(*later) == [4, 6, 8]
    assert recorder.batches == [[1], [2, 3, 4]]


async def test_an_items_error_goes_to_its_caller_alone_and_a_trips_error_to_all_of_it():
    recorder = Recorder()
    recorder.go.set()
    batches = Batches(recorder.run)
    results = await asyncio.gather(batches.submit(5), batches.submit(-1), return_exceptions=True)
    assert results[0] == 10
    assert isinstance(results[1], ValueError)
    assert str(results[1]) == "no -1"

    async def broken(items):
        raise ConnectionError("Redis went away")

    broken_batches = Batches(broken)
    results = await asyncio.gather(broken_batches.submit(1), broken_batches.submit(2), return_exceptions=True)
    assert [type(result) for result in results] == [ConnectionError, ConnectionError]
    assert await batches.submit(7) == 14  # and the next trip runs as usual


async def test_a_caller_given_up_on_does_not_cancel_the_others_trip():
    recorder = Recorder()
    batches = Batches(recorder.run)
    leaving = asyncio.ensure_future(batches.submit(1))
    staying = asyncio.ensure_future(batches.submit(2))
    await asyncio.sleep(0)
    leaving.cancel()
    with pytest.raises(asyncio.CancelledError):
        await leaving
    recorder.go.set()
    assert await staying == 4
    assert recorder.batches == [[1, 2]]


async def test_a_trip_cancelled_before_it_started_leaves_nobody_waiting():
    # A loop closing cancels every task, a trip created in its last step before that trip ever
    # ran; a caller, and one arriving in the clean-up that follows (channels-redis unsubscribes
    # each channel of a cancelled receive), must not wait for it for ever.
    recorder = Recorder()
    recorder.go.set()
    batches = Batches(recorder.run)
    caller = asyncio.ensure_future(batches.submit(1))
    await asyncio.sleep(0)  # the caller has made the trip; the trip has not run yet
    batches.trip.cancel()
    with pytest.raises(asyncio.CancelledError):
        await asyncio.wait_for(caller, timeout=EVENT_TIMEOUT_S)
    assert await asyncio.wait_for(batches.submit(2), timeout=EVENT_TIMEOUT_S) == 4
    assert recorder.batches == [[2]]
