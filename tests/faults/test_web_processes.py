"""Several web processes on one port (`manage.py serve`): shared limits, and one killed is survived."""

import asyncio
import os
import signal
import time

import pytest
from channels.db import database_sync_to_async

from bench.common import session_cookie
from core.redis_io.redis_clients import sync_redis
from core.sockets import leases
from tests import processes
from tests.faults.pages import Page, holder, web_processes
from tests.servers import free_port, wait_for
from tests.waits import EVENT_TIMEOUT_S

pytestmark = pytest.mark.pipeline

PAGES = 12


async def test_a_killed_web_process_is_replaced_and_its_pages_reconnect_to_the_others(alice):
    port, cookie = free_port(), await database_sync_to_async(session_cookie)(alice)
    # The cap is exactly the pages opened: the reconnected pages are let in only if the
    # killed process's places were freed (`serve` frees them; their leases would end in 60 s).
    with processes.serve(port, 2, WS_MAX_SOCKETS_PER_USER=str(PAGES)) as server:
        wait_for(lambda: len(web_processes(server.pid)) == 2, EVENT_TIMEOUT_S, "two web processes")
        before = web_processes(server.pid)
        pages, held = [], {}
        # The kernel spreads connections over both processes, but not always: under load
        # all may land on one. Then only that one's pages are proven to reconnect.
        for _ in range(PAGES):
            page = Page(port, cookie)
            await page.open()
            assert await page.answers()
            pages.append(page)
            held[page] = holder(before, page.local_port)
        assert set(held.values()) <= {p.pid for p in before}
        victim = held[pages[0]]

        os.kill(victim, signal.SIGKILL)
        killed_at = time.monotonic()
        victims_holdings = leases.owner_key(leases.owner_name(victim))
        wait_for(lambda: not sync_redis().exists(victims_holdings), 5, "the killed process's places freed")
        for page in pages:
            if held[page] == victim:
                assert await page.closed()
                await page.open()  # what the page's script does on a close
                assert await page.answers()
            else:
                assert await page.answers()  # the other process's pages never noticed
        assert time.monotonic() - killed_at < 5
        wait_for(
            lambda: len(web_processes(server.pid)) == 2 and victim not in {p.pid for p in web_processes(server.pid)},
            EVENT_TIMEOUT_S,
            "a replacement web process",
        )
        for page in pages:
            await page.ws.close()


async def test_the_per_user_socket_cap_holds_across_web_processes(alice):
    port, cookie = free_port(), await database_sync_to_async(session_cookie)(alice)
    with processes.serve(port, 2, WS_MAX_SOCKETS_PER_USER="4") as server:
        wait_for(lambda: len(web_processes(server.pid)) == 2, EVENT_TIMEOUT_S, "two web processes")
        pages, refused = [], 0
        for _ in range(10):
            page = Page(port, cookie)
            await page.open()
            if await page.admitted():
                pages.append(page)
            else:
                refused += 1
        assert (len(pages), refused) == (4, 6)
        # The places are taken wherever the sockets landed; one closed frees one.
        await pages.pop().ws.close()
        again = Page(port, cookie)
        async with asyncio.timeout(EVENT_TIMEOUT_S):
            while True:  # its release may land a moment after the close
                await again.open()
                if await again.admitted():
                    break
                await again.ws.close()
        for page in [*pages, again]:
            await page.ws.close()
