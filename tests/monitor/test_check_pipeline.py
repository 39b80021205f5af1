"""Admin-configured checks run by real workers: beat -> dispatcher -> checks worker -> Redis -> socket."""

import time

import pytest
from channels.db import database_sync_to_async

from monitor.models import Check, CheckResult, Host, Status
from tests import processes, targets
from tests.conftest import socket
from tests.waits import EVENT_TIMEOUT_S

pytestmark = pytest.mark.pipeline


async def next_frame(communicator, wanted, deadline_s: float = EVENT_TIMEOUT_S) -> dict:
    """The first frame for which `wanted(frame)` is true; other frames are skipped."""
    deadline = time.monotonic() + deadline_s
    while True:
        remaining = deadline - time.monotonic()
        assert remaining > 0, f"no matching frame within {deadline_s} s"
        frame = await communicator.receive_json_from(timeout=remaining)
        if wanted(frame):
            return frame


def host_state(host_id: int, status: str):
    return lambda f: f["type"] == "hosts" and any(h["id"] == host_id and h["status"] == status for h in f["hosts"])


async def test_checks_run_by_workers_reach_the_dashboard_live(alice, tmp_path):
    listener = targets.Listener()
    port = listener.port
    try:
        host = await database_sync_to_async(Host.objects.create)(name="pipeline-host", address="127.0.0.1")
        check = await database_sync_to_async(Check.objects.create)(
            host=host, kind="tcp", port=port, interval_s=5, timeout_s=1
        )
        communicator = await socket("/ws/stats/", alice)
        assert (await communicator.connect())[0]
        await communicator.send_json_to({"type": "watch", "host": host.id})
        assert await next_frame(communicator, lambda f: f["type"] == "watching") == {
            "type": "watching",
            "host": host.id,
        }
        with processes.checking(tmp_path):
            up = await next_frame(communicator, host_state(host.id, "up"))
            listener.close()  # the target goes away: its port now refuses
            detail = await next_frame(
                communicator, lambda f: f["type"] == "check_results" and f["results"][-1]["status"] == "down"
            )
            await next_frame(communicator, host_state(host.id, "down"))
    finally:
        listener.close()
    await communicator.disconnect()

    summary = next(h for h in up["hosts"] if h["id"] == host.id)
    assert summary["name"] == "pipeline-host"
    assert summary["latency_ms"] > 0
    assert detail["host"] == host.id
    assert detail["status"] == "down"
    assert detail["results"][-1]["error"] == "connection refused"
    results = await database_sync_to_async(
        lambda: list(CheckResult.objects.filter(host_check=check).values_list("status", "scheduled_at"))
    )()
    statuses = [s for s, _ in results]
    assert Status.UP in statuses
    assert Status.DOWN in statuses
    assert len({at for _, at in results}) == len(results)  # one result per slot
    await database_sync_to_async(check.refresh_from_db)()
    assert (check.status, check.last_error) == (Status.DOWN, "connection refused")
