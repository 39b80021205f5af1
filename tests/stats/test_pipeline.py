"""A real Celery agent worker's sample reaches a WebSocket client through the real Redis layer."""

import time

import pytest
from channels.db import database_sync_to_async

from stats.history.chunks import unpack
from stats.history.metrics import agent_source
from stats.models import Agent, RawChunk, Series
from stats.tasks import sample
from tests import processes
from tests.conftest import socket

pytestmark = [pytest.mark.pipeline, pytest.mark.usefixtures("no_latest_frames")]


async def frames_from(communicator, host: str, count: int, deadline_s: float = 30) -> list[dict]:
    """Send ticks (as beat would) until `count` frames from `host` have arrived."""
    frames, deadline = [], time.monotonic() + deadline_s
    while len(frames) < count:
        assert time.monotonic() < deadline, f"only {len(frames)} frames from {host} in {deadline_s} s"
        # A broadcast reaches the workers subscribed at that moment, so keep ticking.
        sample.apply_async(expires=2)
        try:
            frame = await communicator.receive_json_from(timeout=1)
        except TimeoutError:
            continue
        if frame.get("host") == host:
            frames.append(frame)
    return frames


def saved_memory_values(agent: str) -> list[float]:
    """The agent's memory history in the raw tier (the worker flushes what it holds when it stops)."""
    series = Series.objects.get(source=agent_source(agent), metric="mem.percent")
    chunks = RawChunk.objects.filter(series=series).values_list("values", flat=True)
    return [value for data in chunks for value in unpack(data) if value == value]


async def test_a_worker_sample_reaches_a_websocket_client_and_is_saved(alice):
    name = processes.agent_name("pipeline")
    communicator = await socket("/ws/stats/", alice)
    assert (await communicator.connect())[0]
    with processes.agent_worker(name):
        first, second = await frames_from(communicator, name, 2)
    await communicator.disconnect()

    assert second["seq"] > first["seq"]
    assert second["ts"] > first["ts"]
    assert 0 <= second["cpu"]["percent"] <= 100  # a rate: needs the worker's previous tick
    assert second["mem"]["total"] > 0
    assert second["net"]["lo"]["up"] is True
    assert second["net"]["lo"]["rx_bps"] >= 0

    saved = await database_sync_to_async(saved_memory_values)(name)
    # The raw tier keeps one value per second: the two frames may share one.
    assert len(saved) >= len({int(first["ts"]), int(second["ts"])})
    assert all(0 <= value <= 100 for value in saved)
    assert await database_sync_to_async(Agent.objects.filter(name=name, last_seen__isnull=False).exists)()
