"""A real agent's frames reach a WebSocket client through the real ingest and Redis layer, and history."""

import json
import time

import pytest
from channels.db import database_sync_to_async

from core.redis_io.redis_clients import sync_redis
from netmon_agent import keys
from stats import streams
from stats.history.metrics import agent_source
from stats.history.query import stored_values
from stats.models import Agent, Series
from tests import processes
from tests.conftest import socket
from tests.waits import EVENT_TIMEOUT_S

pytestmark = [pytest.mark.pipeline, pytest.mark.usefixtures("no_latest_frames")]


async def frames_from(communicator, host: str, count: int, deadline_s: float = EVENT_TIMEOUT_S) -> list[dict]:
    frames, deadline = [], time.monotonic() + deadline_s
    while len(frames) < count:
        assert time.monotonic() < deadline, f"only {len(frames)} frames from {host} in {deadline_s} s"
        try:
            frame = await communicator.receive_json_from(timeout=1)
        except TimeoutError:
            continue
        # The latest frame on connect may repeat one the group also delivered: skip it, as the page does.
        if (
            frame.get("type") == "stats"
            and frame.get("host") == host
            and (not frames or frame["ts"] > frames[-1]["ts"])
        ):
            frames.append(frame)
    return frames


def saved_memory_values(agent: str) -> list[float]:
    """The agent's memory history in the raw tier."""
    series = Series.objects.get(source=agent_source(agent), metric="mem.percent")
    return [value for _, value in stored_values(series.pk)]


async def test_an_agents_frames_reach_a_websocket_client_and_are_saved_by_the_ingest(alice):
    name = processes.agent_name("pipeline")
    processes.register(name)
    communicator = await socket("/ws/stats/", alice)
    assert (await communicator.connect())[0]
    with processes.ingest(), processes.agent(name):
        first, second = await frames_from(communicator, name, 2)
        await wait_for_history(name, seconds={int(first["ts"]), int(second["ts"])})
    await communicator.disconnect()

    assert second["seq"] > first["seq"]
    assert second["ts"] > first["ts"]
    assert 0 <= second["cpu"]["percent"] <= 100  # a rate: needs the agent's previous sample
    assert second["mem"]["total"] > 0
    assert second["net"]["lo"]["up"] is True
    assert all(0 <= value <= 100 for value in await database_sync_to_async(saved_memory_values)(name))
    assert await database_sync_to_async(Agent.objects.filter(name=name, last_seen__isnull=False).exists)()


async def wait_for_history(name: str, seconds: set[int], deadline_s: float = EVENT_TIMEOUT_S) -> None:
    def saved() -> set[int]:
        series = Series.objects.filter(source=agent_source(name), metric="mem.percent").first()
        if series is None:
            return set()
        return {second for second, _ in stored_values(series.pk)}

    deadline = time.monotonic() + deadline_s
    while not seconds <= await database_sync_to_async(saved)():
        assert time.monotonic() < deadline, f"seconds {sorted(seconds)} of {name} not in history"
        await database_sync_to_async(time.sleep)(0.1)


async def test_a_frame_claiming_another_agents_name_shows_up_as_its_sender(alice):
    sender, victim = processes.agent_name("sender"), processes.agent_name("victim")
    processes.register(sender)
    processes.register(victim)
    communicator = await socket("/ws/stats/", alice)
    assert (await communicator.connect())[0]
    with processes.ingest():
        forged = {"type": "stats", "host": victim, "ts": time.time(), "seq": 1, "mem": {"percent": 42.0}}
        sync_redis().xadd(streams.frames_key(sender), {keys.FRAME_FIELD: json.dumps(forged)})
        [frame] = await frames_from(communicator, sender, 1)
        await wait_for_history(sender, {int(forged["ts"])})
    await communicator.disconnect()

    assert frame["mem"]["percent"] == 42.0
    assert not await database_sync_to_async(Series.objects.filter(source=agent_source(victim)).exists)()
    assert sync_redis().hget(f"{streams.registry_key().rsplit(':', 1)[0]}:stats:latest", victim) is None
