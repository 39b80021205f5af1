"""A web tier that hangs and is killed, under an open dashboard in Chromium: the page says it is
offline, reconnects, and draws the seconds it missed from history."""

import asyncio
import json
import os
import signal

import pytest
from playwright.async_api import expect

from core.redis_io.redis_clients import async_redis
from stats import latest
from tests import processes
from tests.browser import log_in
from tests.dashboard.test_browser import points, wait_for_more_points
from tests.faults.pages import web_processes

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("no_latest_frames")]

MISSED = 5  # samples the agent takes while the page gets nothing


async def newest_seq(host: str) -> int:
    text = await async_redis().hget(latest.latest_key(), host)
    return json.loads(text)["seq"] if text else -1


async def test_after_the_web_processes_hang_and_die_the_page_draws_the_seconds_it_missed(
    alice, browser, unused_tcp_port
):
    base_url = f"http://127.0.0.1:{unused_tcp_port}"
    host = processes.agent_name("gap")
    page = await browser.new_page()
    processes.register(host)
    with (
        processes.together(processes.ingest(), processes.serve(unused_tcp_port, 2)) as (_, server),
        processes.agent(host),
    ):
        await log_in(page, base_url)
        await expect(page.locator("#connection")).to_have_attribute("data-state", "live")
        await page.click(f'.agent-tile[data-host="{host}"] .agent-open')
        await wait_for_more_points(page, host, than=3)

        hung = web_processes(server.pid)
        for process in hung:
            os.kill(process.pid, signal.SIGSTOP)  # sockets stay open; nothing reaches the page
        stopped_at, drawn = await newest_seq(host), await points(page, host)
        async with asyncio.timeout(MISSED + 10):
            while await newest_seq(host) < stopped_at + MISSED:  # the ingest relays and writes them
                await asyncio.sleep(0.2)
        for process in hung:
            os.kill(process.pid, signal.SIGKILL)  # as a supervisor does; `serve` starts new ones

        await expect(page.locator("#connection")).to_have_attribute("data-state", "offline")
        await expect(page.locator("#connection")).to_have_attribute("data-state", "live")
        # The missed seconds come from history at once: live frames alone would add one a second.
        await wait_for_more_points(page, host, than=drawn + MISSED - 1, timeout_ms=2_000)
