"""celery beat stopped and started again under a running dispatcher, checks worker and ingest."""

import asyncio
import itertools
import time
from datetime import UTC, datetime

import pytest
from channels.db import database_sync_to_async

from monitor.models import Check, CheckResult, Host
from stats.part_watch import SILENT_AFTER_S
from tests import processes, targets
from tests.conftest import socket
from tests.waits import EVENT_TIMEOUT_S

pytestmark = pytest.mark.pipeline

INTERVAL_S = 5


def dispatching(running: bool):
    return lambda frame: frame.get("type") == "checks_dispatch" and frame["running"] is running


async def next_frame(communicator, wanted, seconds: float) -> dict:
    async with asyncio.timeout(seconds):
        while True:
            frame = await communicator.receive_json_from(timeout=seconds)
            if wanted(frame):
                return frame


def slots(check: Check) -> list[float]:
    return sorted(
        at.timestamp() for at in CheckResult.objects.filter(host_check=check).values_list("scheduled_at", flat=True)
    )


async def test_the_dashboard_says_when_beat_stopped_and_a_restarted_beat_replays_no_missed_slot(alice, tmp_path):
    listener = targets.Listener()
    host = await database_sync_to_async(Host.objects.create)(name="beat-host", address="127.0.0.1")
    check = await database_sync_to_async(Check.objects.create)(
        host=host, kind="tcp", port=listener.port, interval_s=INTERVAL_S, timeout_s=1
    )
    page = await socket("/ws/stats/", alice)
    assert (await page.connect())[0]
    try:
        with processes.together(
            processes.ingest(),
            processes.tasks_worker(processes.agent_name("dispatcher")),
            processes.checks_worker(processes.agent_name("checks")),
        ):
            with processes.beat(tmp_path):
                await next_frame(page, dispatching(True), 30)
            stopped = time.time()
            silent = await next_frame(page, dispatching(False), SILENT_AFTER_S + 5)
            assert stopped - SILENT_AFTER_S - 2 < silent["since"] <= stopped  # its last run, shown on the page
            # A page opened now is told at once, with the latest frames.
            later = await socket("/ws/stats/", alice)
            assert (await later.connect())[0]
            assert (await next_frame(later, lambda f: f.get("type") == "checks_dispatch", EVENT_TIMEOUT_S))[
                "running"
            ] is False
            await later.disconnect()
            await asyncio.sleep(INTERVAL_S)  # beat stays down over a whole interval: slots are missed

            with processes.beat(tmp_path):  # the same schedule file: beat restarted, not new
                await next_frame(page, dispatching(True), EVENT_TIMEOUT_S)
                restarted = time.time()
                async with asyncio.timeout(EVENT_TIMEOUT_S):
                    while sum(1 for at in await database_sync_to_async(slots)(check) if at > restarted) < 2:
                        await asyncio.sleep(0.2)
    finally:
        listener.close()
        await page.disconnect()

    ran = await database_sync_to_async(slots)(check)
    missed_window = [at for at in ran if stopped + 2 < at < restarted]  # claimed 2 s ahead before the stop
    # The slots missed while beat was down are not replayed: one late run stands for them.
    assert len(missed_window) <= 1, [datetime.fromtimestamp(at, UTC) for at in missed_window]
    assert all(b - a >= INTERVAL_S / 2 for a, b in itertools.pairwise(ran)), ran
