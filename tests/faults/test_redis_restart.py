"""Redis restarted empty under running web processes, ingest and agent: dashboards are live again."""

import asyncio
import math
import time

import httpx
import pytest
from channels.db import database_sync_to_async

from bench.common import session_cookie
from tests import processes
from tests.faults.pages import Page, link, live_from
from tests.servers import free_port, private_redis

pytestmark = pytest.mark.pipeline


async def sampled_in_history(port: int, cookie: str, name: str, second: int, seconds: float) -> None:
    url = f"http://127.0.0.1:{port}/api/agents/{name}/series?metric=cpu.percent&from={second}&to={second + 1}&points=2"
    async with httpx.AsyncClient(headers={"Cookie": cookie}) as client, asyncio.timeout(seconds):
        while True:
            body = (await client.get(url)).raise_for_status().json()
            if any(value is not None for value in body["series"][0]["avg"]):
                return
            await asyncio.sleep(0.2)  # written by the ingest every SAMPLE_PERSIST_EVERY


async def test_a_dashboard_shows_redis_lost_and_is_live_again_within_5_s_of_a_restarted_redis_answering(alice):
    cookie = await database_sync_to_async(session_cookie)(alice)
    with private_redis() as broker:
        env = {"REDIS_URL": broker.url}
        name = processes.agent_name("restart")
        agent_url = await database_sync_to_async(processes.add_agent)(name, **env)
        port = free_port()
        with processes.serve(port, 2, **env), processes.ingest(**env), processes.agent(name, redis_url=agent_url):
            page = Page(port, cookie)
            await page.open()
            await page.frame(live_from(name, time.time()), 20)

            broker.kill()  # no persistence: it comes back empty, without subscriptions, streams or agent users
            killed = time.time()
            await page.frame(link(False), 5)  # the page says its data stopped; the socket stays open
            await asyncio.sleep(math.ceil(killed) + 1.5 - time.time())  # Redis down over a sampling tick
            broker.start()  # returns once it answers
            answered = time.time()
            await page.frames([link(True), live_from(name, answered)], 5)  # on "link" the page fills its gap
            assert time.time() - answered < 5
            # What the agent sampled while Redis was down: kept, sent once Redis took frames again,
            # and written to history, where the page's gap fill reads it.
            await sampled_in_history(port, cookie, name, math.ceil(killed), 10)
