"""An agent that goes silent is noticed centrally: its card says so and agent_offline rules fire."""

import time

import pytest
from channels.db import database_sync_to_async

from tests import processes
from tests.alerts.test_alerts import make_rule
from tests.alerts.test_pipeline import next_alert
from tests.conftest import socket
from tests.waits import EVENT_TIMEOUT_S

pytestmark = [pytest.mark.pipeline, pytest.mark.usefixtures("no_latest_frames")]

OFFLINE_AFTER_S = 2


async def next_frame(communicator, host: str, kind: str, deadline_s: float = EVENT_TIMEOUT_S) -> dict:
    deadline = time.monotonic() + deadline_s
    while True:
        remaining = deadline - time.monotonic()
        assert remaining > 0, f"no {kind} frame of {host} within {deadline_s} s"
        frame = await communicator.receive_json_from(timeout=remaining)
        if frame.get("type") == kind and frame.get("host") == host:
            return frame


async def test_a_stopped_agent_fires_agent_offline_to_the_recipient_and_resolves_when_it_returns(alice):
    name = processes.agent_name("silent")
    processes.register(name)
    await database_sync_to_async(make_rule)(
        alice, name="agent gone", metric="agent_offline", comparison=">=", threshold=1
    )
    alerts = await socket("/ws/alerts/", alice)
    assert (await alerts.connect())[0]
    assert await alerts.receive_json_from(timeout=EVENT_TIMEOUT_S) == {"type": "alerts", "alerts": []}
    dashboard = await socket("/ws/stats/", alice)
    assert (await dashboard.connect())[0]

    with processes.ingest(AGENT_OFFLINE_AFTER=str(OFFLINE_AFTER_S)):
        with processes.agent(name):
            last = await next_frame(dashboard, name, "stats")
        stopped_at = time.monotonic()
        fired = await next_alert(alerts, "firing", deadline_s=EVENT_TIMEOUT_S)
        fired_after = time.monotonic() - stopped_at
        state = await next_frame(dashboard, name, "agent_state")

        with processes.agent(name):
            resolved = await next_alert(alerts, "resolved")
            back = await next_frame(dashboard, name, "agent_state")
    await alerts.disconnect()
    await dashboard.disconnect()

    assert (fired["rule"], fired["subject"], fired["value"]) == ("agent gone", name, 1.0)
    assert fired_after <= OFFLINE_AFTER_S + 2, f"fired {fired_after:.1f} s after the agent stopped"
    assert state["online"] is False
    assert state["since"] >= last["ts"]
    assert resolved["id"] == fired["id"]
    assert back["online"] is True
