"""The per-process fan-out of the "stats" group (dashboard.stats_hub), against the real Redis channel layer."""

import asyncio
import contextlib
import json

import pytest
from channels.layers import get_channel_layer

from core.contracts.groups import STATS_FRAME, STATS_GROUP
from dashboard import stats_hub
from stats import latest
from tests.conftest import forget_agents, stats_socket
from tests.waits import EVENT_TIMEOUT_S


def stats_frame(host: str, seq: int) -> str:
    return json.dumps({"type": "stats", "host": host, "seq": seq, "ts": 1.0 + seq})


async def send(text: str) -> None:
    await get_channel_layer().group_send(STATS_GROUP, {"type": STATS_FRAME, "text": text})


@pytest.mark.usefixtures("no_latest_frames")
async def test_the_dashboards_of_a_process_share_one_membership_of_the_group(alice):
    first, second = await stats_socket(alice, welcomed=True), await stats_socket(alice, welcomed=True)
    layer = get_channel_layer()._get_layer()  # the pub/sub layer of this event loop
    members = layer.groups[layer._get_group_channel_name(STATS_GROUP)]
    assert members == {stats_hub.hub().channel}
    await send(stats_frame("agent-s", 1))
    for communicator in (first, second):
        assert await communicator.receive_from(timeout=EVENT_TIMEOUT_S) == stats_frame("agent-s", 1)
    await first.disconnect()
    await second.disconnect()
    assert stats_hub.hub().sockets == set()


@pytest.mark.usefixtures("no_latest_frames")
async def test_a_dashboard_connecting_later_gets_the_frames_relayed_so_far_then_each_new_one_in_order(alice):
    first = await stats_socket(alice, welcomed=True)
    await send(stats_frame("agent-m", 1))
    paused = {"type": "checks_dispatch", "running": False, "since": 9.0}
    await send(json.dumps(paused))
    assert await first.receive_from(timeout=EVENT_TIMEOUT_S) == stats_frame("agent-m", 1)
    assert json.loads(await first.receive_from(timeout=EVENT_TIMEOUT_S)) == paused
    forget_agents()  # the snapshot is the hub's own: not read from Redis on connect

    later = await stats_socket(alice)
    assert await later.receive_from(timeout=EVENT_TIMEOUT_S) == stats_frame("agent-m", 1)
    assert json.loads(await later.receive_from(timeout=EVENT_TIMEOUT_S)) == paused
    await send(stats_frame("agent-m", 2))
    assert await later.receive_from(timeout=EVENT_TIMEOUT_S) == stats_frame("agent-m", 2)
    assert await first.receive_from(timeout=EVENT_TIMEOUT_S) == stats_frame("agent-m", 2)
    await first.disconnect()
    await later.disconnect()


@pytest.mark.usefixtures("no_latest_frames")
async def test_the_hub_starts_from_what_redis_remembers(alice):
    await latest.remember_all({"agent-r": stats_frame("agent-r", 7)})
    communicator = await stats_socket(alice)
    assert await communicator.receive_from(timeout=EVENT_TIMEOUT_S) == stats_frame("agent-r", 7)
    await communicator.disconnect()


@pytest.mark.usefixtures("no_latest_frames")
async def test_a_relay_that_ended_is_started_again_by_the_next_dashboard(alice):
    first = await stats_socket(alice, welcomed=True)
    await send(stats_frame("agent-again", 1))
    assert await first.receive_from(timeout=EVENT_TIMEOUT_S) == stats_frame("agent-again", 1)  # the hub runs
    relay = stats_hub.hub().tasks[0]
    relay.cancel()  # as an error it did not expect would end it
    with contextlib.suppress(asyncio.CancelledError):
        await relay
    await latest.remember_all({"agent-again": stats_frame("agent-again", 1)})  # a started hub reads it
    second = await stats_socket(alice)
    assert await second.receive_from(timeout=EVENT_TIMEOUT_S) == stats_frame(
        "agent-again", 1
    )  # welcomed: the hub runs again
    layer = get_channel_layer()._get_layer()
    assert layer.groups[layer._get_group_channel_name(STATS_GROUP)] == {stats_hub.hub().channel}
    await send(stats_frame("agent-again", 2))
    for communicator in (first, second):
        assert await communicator.receive_from(timeout=EVENT_TIMEOUT_S) == stats_frame("agent-again", 2)
    await first.disconnect()
    await second.disconnect()


@pytest.mark.usefixtures("no_latest_frames")
async def test_a_message_the_hub_cannot_read_is_logged_and_the_next_frame_still_arrives(alice, caplog):
    dashboard = await stats_socket(alice, welcomed=True)
    await get_channel_layer().group_send(STATS_GROUP, {"type": STATS_FRAME})  # no text: the relay fails on it
    await send(stats_frame("agent-t", 1))
    assert await dashboard.receive_from(timeout=30) == stats_frame("agent-t", 1)
    assert "stats-hub failed" in caplog.text
    await dashboard.disconnect()
