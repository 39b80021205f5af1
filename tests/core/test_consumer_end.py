"""A socket's consumer that ends without its disconnect (cancelled by the server) still gives back what it held."""

import asyncio
import contextlib

from core.sockets import leases
from core.sockets.consumers import AuthenticatedJsonConsumer
from core.sockets.open_sockets import sockets_key
from core.sockets.socket_auth import with_session_user
from tests.conftest import socket
from tests.waits import EVENT_TIMEOUT_S


class ConnectThatNeverEnds(AuthenticatedJsonConsumer):
    """Takes its place under the user's cap, then waits for ever, as a connect waiting on a stalled Redis."""

    async def group_names(self) -> list[str]:
        await asyncio.Event().wait()
        return []


async def test_a_consumer_cancelled_while_connecting_frees_its_place_under_the_cap(alice):
    communicator = await socket("/ws/x/", alice, app=with_session_user(ConnectThatNeverEnds.as_asgi()))
    await communicator.send_input({"type": "websocket.connect"})
    places = sockets_key(alice.pk)
    async with asyncio.timeout(EVENT_TIMEOUT_S):
        while not await leases.held(places):
            await asyncio.sleep(0.01)  # the consumer runs on this loop: it takes its place meanwhile

    # What daphne does to an application still running 10 s after its client left.
    communicator.future.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await communicator.future
    assert await leases.held(places) == []
    await leases.renew()  # this process's renewal does not take it again
    assert await leases.held(places) == []
