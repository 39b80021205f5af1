"""StatsConsumer through the full ASGI stack against the real Redis channel layer."""

import asyncio
import json

import pytest
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer

from core.contracts.groups import STATS_GROUP, host_group
from monitor.models import Host
from stats import latest
from tests.conftest import socket, stats_socket
from tests.waits import EVENT_TIMEOUT_S

pytestmark = pytest.mark.usefixtures("no_latest_frames")


async def test_it_sends_the_latest_frame_of_every_agent_and_who_is_offline_on_connect(alice):
    await latest.remember_all(
        {
            "agent-a": json.dumps({"type": "stats", "host": "agent-a", "ts": 1.0}),
            "agent-b": json.dumps({"type": "stats", "host": "agent-b", "ts": 2.0}),
        }
    )
    await latest.mark_offline({"agent-b": 2.0}, back=[])
    communicator = await stats_socket(alice)
    frames = [await communicator.receive_json_from(timeout=EVENT_TIMEOUT_S) for _ in range(3)]
    assert {(f["type"], f["host"]) for f in frames[:2]} == {("stats", "agent-a"), ("stats", "agent-b")}
    assert frames[2] == {"type": "agent_state", "host": "agent-b", "online": False, "since": 2.0}
    await communicator.disconnect()


async def test_it_closes_an_anonymous_socket_with_4401(transactional_db):
    communicator = await socket("/ws/stats/")
    accepted, _ = await communicator.connect()
    assert accepted  # accepted only to deliver the close code a browser can read
    assert await communicator.receive_output(timeout=EVENT_TIMEOUT_S) == {"type": "websocket.close", "code": 4401}


async def test_it_refuses_a_foreign_origin(alice):
    communicator = await socket("/ws/stats/", alice, origin=b"http://evil.example")
    accepted, _ = await communicator.connect()
    assert not accepted


async def test_a_group_frame_reaches_the_socket_verbatim(alice):
    communicator = await stats_socket(alice, welcomed=True)
    text = '{"type":"stats","host":"agent-z","ts":3.5,"cpu":{"percent":12.5}}'
    await get_channel_layer().group_send(STATS_GROUP, {"type": "stats.frame", "text": text})
    assert await communicator.receive_from(timeout=EVENT_TIMEOUT_S) == text
    await communicator.disconnect()


async def test_an_idle_socket_is_still_alive_after_10_seconds(alice):
    communicator = await stats_socket(alice, welcomed=True)
    # Idle on purpose: redis-py 8's default 5 s read timeout used to kill the subscription here.
    await asyncio.sleep(10.5)
    assert await communicator.receive_nothing(timeout=0.1)
    text = '{"type":"stats","host":"agent-idle","ts":4.0}'
    await get_channel_layer().group_send(STATS_GROUP, {"type": "stats.frame", "text": text})
    assert await communicator.receive_from(timeout=EVENT_TIMEOUT_S) == text
    await communicator.disconnect()


@pytest.mark.parametrize(
    ("frame", "message"),
    [
        ("{not json", "malformed JSON"),
        ("[1, 2]", 'a frame must be a JSON object with a string "type"'),
        ('{"no": "type"}', 'a frame must be a JSON object with a string "type"'),
        ('{"type": "launch"}', "unknown frame type 'launch'"),
    ],
)
async def test_a_bad_frame_gets_an_error_frame_and_the_socket_stays_usable(alice, frame, message):
    communicator = await stats_socket(alice)
    await communicator.send_to(text_data=frame)
    assert await communicator.receive_json_from(timeout=EVENT_TIMEOUT_S) == {"type": "error", "message": message}
    await communicator.send_json_to({"type": "ping"})
    assert await communicator.receive_json_from(timeout=EVENT_TIMEOUT_S) == {"type": "pong"}
    await communicator.disconnect()


async def test_a_binary_frame_gets_an_error_frame(alice):
    communicator = await stats_socket(alice)
    await communicator.send_to(bytes_data=b"\x00\x01")
    assert (await communicator.receive_json_from(timeout=EVENT_TIMEOUT_S))["type"] == "error"
    await communicator.disconnect()


async def test_watching_a_host_delivers_its_results_and_a_new_watch_replaces_it(alice):
    first = await database_sync_to_async(Host.objects.create)(name="w1", address="127.0.0.1")
    second = await database_sync_to_async(Host.objects.create)(name="w2", address="127.0.0.1")
    communicator = await stats_socket(alice)
    layer = get_channel_layer()

    for bad in ("7", 10**9, None):
        await communicator.send_json_to({"type": "watch", "host": bad})
        reply = await communicator.receive_json_from(timeout=EVENT_TIMEOUT_S)
        assert reply == {"type": "error", "message": '"host" must be the id of a monitored host'}

    await communicator.send_json_to({"type": "watch", "host": first.id})
    assert await communicator.receive_json_from(timeout=EVENT_TIMEOUT_S) == {"type": "watching", "host": first.id}
    await layer.group_send(host_group(first.id), {"type": "stats.frame", "text": '{"type": "check_results", "n": 1}'})
    assert await communicator.receive_json_from(timeout=EVENT_TIMEOUT_S) == {"type": "check_results", "n": 1}

    await communicator.send_json_to({"type": "watch", "host": second.id})
    assert await communicator.receive_json_from(timeout=EVENT_TIMEOUT_S) == {"type": "watching", "host": second.id}
    await layer.group_send(host_group(first.id), {"type": "stats.frame", "text": '{"type": "check_results", "n": 2}'})
    await layer.group_send(host_group(second.id), {"type": "stats.frame", "text": '{"type": "check_results", "n": 3}'})
    # Frames on one connection arrive in order: had n=2 been delivered, it would come first.
    assert await communicator.receive_json_from(timeout=EVENT_TIMEOUT_S) == {"type": "check_results", "n": 3}
    await communicator.disconnect()
