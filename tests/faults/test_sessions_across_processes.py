"""Against real daphne processes (`manage.py serve`): a password change reaches the sockets of
every web process, and a handshake from another port's origin is refused before it gets in."""

import asyncio

import pytest
from channels.db import database_sync_to_async
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed, InvalidStatus

from bench.common import session_cookie
from core.contracts.groups import CLOSE_UNAUTHENTICATED
from tests import processes
from tests.faults.pages import Page
from tests.servers import free_port

pytestmark = pytest.mark.pipeline

PAGES_PER_PROCESS = 4
BOUND_S = 30  # generous: the machine may be busy


async def close_code(page: Page) -> int | None:
    try:
        async with asyncio.timeout(BOUND_S):
            while True:
                await page.ws.recv()
    except ConnectionClosed as closed:
        return closed.rcvd.code if closed.rcvd else None


async def test_a_password_change_closes_the_users_sockets_in_every_web_process(alice):
    cookie = await database_sync_to_async(session_cookie)(alice)
    ports = free_port(), free_port()
    # Two servers of one web process each: the sockets are certain to be held by two processes.
    with processes.together(processes.serve(ports[0], 1), processes.serve(ports[1], 1)):
        pages = []
        for port in ports:
            for _ in range(PAGES_PER_PROCESS):
                page = Page(port, cookie)
                await page.open()
                assert await page.answers()
                pages.append(page)

        def change_password():
            alice.set_password("a new horse staple")
            alice.save()

        await database_sync_to_async(change_password)()
        assert [await close_code(page) for page in pages] == [CLOSE_UNAUTHENTICATED] * len(pages)


async def test_a_real_browsers_handshake_from_another_port_is_refused(alice):
    port, cookie = free_port(), await database_sync_to_async(session_cookie)(alice)
    with processes.serve(port, 1):
        url = f"ws://127.0.0.1:{port}/ws/echo/"
        for origin in (f"http://127.0.0.1:{port + 1}", f"https://127.0.0.1:{port}", f"http://localhost:{port}"):
            with pytest.raises(InvalidStatus) as refused:
                await connect(url, additional_headers={"Cookie": cookie, "Origin": origin}, open_timeout=BOUND_S)
            assert refused.value.response.status_code == 403, origin
        own = Page(port, cookie, "/ws/echo/")
        await own.open()
        assert await own.answers()
        await own.ws.close()
