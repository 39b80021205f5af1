"""Redis restarted empty under running web processes, ingest and agent (dashboards are live again),
and under beat and the workers (checks run again)."""

import asyncio
import math
import time
from collections import Counter
from datetime import datetime, timedelta

import httpx
import pytest
from channels.db import database_sync_to_async
from django.utils import timezone

from bench.common import session_cookie
from monitor.models import Check, CheckResult, ClaimedSlot, Host, ResultStatus
from tests import processes, targets
from tests.faults.pages import Page, link, live_from
from tests.servers import free_port, private_redis, wait_for
from tests.waits import EVENT_TIMEOUT_S

pytestmark = pytest.mark.pipeline


async def sampled_in_history(port: int, cookie: str, name: str, second: int, seconds: float) -> None:
    url = f"http://127.0.0.1:{port}/api/agents/{name}/series?metric=cpu.percent&from={second}&to={second + 1}&points=2"
    async with httpx.AsyncClient(headers={"Cookie": cookie}) as client, asyncio.timeout(seconds):
        while True:
            series = (await client.get(url)).raise_for_status().json()["series"]
            # No series yet: the ingest had not written the agent's first frames when Redis went.
            if series and any(value is not None for value in series[0]["avg"]):
                return
            await asyncio.sleep(0.2)  # written by the ingest every SAMPLE_PERSIST_EVERY


async def test_a_dashboard_shows_redis_lost_and_is_live_again_within_5_s_of_a_restarted_redis_answering(alice):
    cookie = await database_sync_to_async(session_cookie)(alice)
    with private_redis() as broker:
        env = {"REDIS_URL": broker.url}
        name = processes.agent_name("restart")
        agent_url = await database_sync_to_async(processes.add_agent)(name, **env)
        port = free_port()
        with (
            processes.together(processes.serve(port, 2, **env), processes.ingest(**env)),
            processes.agent(name, redis_url=agent_url),
        ):
            page = Page(port, cookie)
            await page.open()
            await page.frame(live_from(name, time.time()), EVENT_TIMEOUT_S)

            broker.kill()  # no persistence: it comes back empty, without subscriptions, streams or agent users
            killed = time.time()
            await page.frame(link(False), EVENT_TIMEOUT_S)  # the page says its data stopped; the socket stays open
            await asyncio.sleep(math.ceil(killed) + 1.5 - time.time())  # Redis down over a sampling tick
            broker.start()  # returns once it answers
            answered = time.time()
            await page.frames([link(True), live_from(name, answered)], 5)  # on "link" the page fills its gap
            assert time.time() - answered < 5
            # What the agent sampled while Redis was down: kept, sent once Redis took frames again,
            # and written to history, where the page's gap fill reads it.
            await sampled_in_history(port, cookie, name, math.ceil(killed), 10)


def results_since(at: datetime) -> dict[int, int]:
    """Check id -> how many UP results started after `at`."""
    counted = Counter(
        CheckResult.objects.filter(started_at__gt=at, status=ResultStatus.UP).values_list("host_check_id", flat=True)
    )
    return dict(counted)


def test_beat_and_the_workers_reconnect_to_a_restarted_redis_and_every_claimed_slot_is_answered(
    transactional_db, tmp_path
):
    listener = targets.Listener()
    host = Host.objects.create(name="broker-loss", address="127.0.0.1")
    checks = [
        Check.objects.create(host=host, kind="tcp", port=listener.port, interval_s=5, timeout_s=1) for _ in range(3)
    ]
    with private_redis() as broker:
        env = {"REDIS_URL": broker.url}
        with processes.together(
            processes.beat(tmp_path, **env),
            processes.tasks_worker(processes.agent_name("dispatcher"), CHECK_MISSED_AFTER_S="2", **env),
            processes.checks_worker(processes.agent_name("checks"), **env),
        ):
            wait_for(lambda: len(results_since(timezone.now() - timedelta(hours=1))) == 3, 30, "first results")
            broker.kill()  # no persistence: queued runs, beat's and the workers' connections are gone
            killed = timezone.now()
            wait_for(
                lambda: timezone.now() - killed > timedelta(seconds=2),
                EVENT_TIMEOUT_S,
                "Redis down over dispatcher ticks",
            )
            broker.start()
            answered = timezone.now()
            # Beat, the dispatcher and the checks worker all reconnected: each check runs again.
            wait_for(lambda: len(results_since(answered)) == 3, EVENT_TIMEOUT_S, "results after the restart")
            resumed = max(
                CheckResult.objects.filter(host_check=c, started_at__gt=answered).earliest("started_at").started_at
                for c in checks
            )
            # Every slot claimed before the restart was answered: run (a worker had it), or recorded missed.
            wait_for(
                lambda: not ClaimedSlot.objects.filter(slot__lt=answered).exists(),
                EVENT_TIMEOUT_S,
                "the ledger settled",
            )
    listener.close()
    assert (resumed - answered).total_seconds() < 10  # 4.0 s measured: Celery's reconnect back-off
