"""Several ingest processes share the agents: one killed, one started, every frame once in history and live."""

import asyncio
import json
import signal
import threading
import time
from collections import Counter
from contextlib import ExitStack

import pytest
from channels.layers import get_channel_layer
from django.conf import settings

from core.contracts.groups import STATS_GROUP
from core.redis_io.redis_clients import sync_redis
from netmon_agent.runtime import Agent as AgentRuntime
from stats import intake, streams
from stats.history.blocks import decode_values
from stats.history.metrics import agent_source
from stats.models import RawBlock, Series
from tests import processes
from tests.servers import wait_for
from tests.waits import EVENT_TIMEOUT_S

pytestmark = [pytest.mark.pipeline, pytest.mark.usefixtures("no_latest_frames")]

AGENTS = 200
ROUNDS = 40  # frames per agent, a round every ROUND_S
ROUND_S = 0.5


class Seconds:
    """Frames of consecutive seconds (an hour back, so each is told apart by its ts), with a sequence."""

    def __init__(self, name: str, start: int) -> None:
        self.name, self.next = name, start

    def sample(self) -> dict:
        self.next += 1
        return {"type": "stats", "host": self.name, "ts": self.next - 1, "mem": {"percent": 1.0}}


class Senders(threading.Thread):
    """AGENTS real agents (netmon_agent.runtime), ROUNDS frames each, a round every ROUND_S."""

    def __init__(self, names: list[str], start: int) -> None:
        super().__init__(daemon=True)
        prefix = streams.registry_key().rsplit(":", 1)[0]
        self.agents = [AgentRuntime(sync_redis(), name, prefix=prefix, sampler=Seconds(name, start)) for name in names]
        self.rounds = 0

    def run(self) -> None:
        for _ in range(ROUNDS):
            due = time.monotonic() + ROUND_S
            for agent in self.agents:
                agent.tick()
            self.rounds += 1
            time.sleep(max(0.0, due - time.monotonic()))


class Dashboard(threading.Thread):
    """What every dashboard gets: the stats group of the channel layer, counted per (agent, ts)."""

    def __init__(self, names: set[str]) -> None:
        super().__init__(daemon=True)
        self.names, self.seen, self.stop = names, Counter(), threading.Event()
        self.ready = threading.Event()

    def run(self) -> None:
        asyncio.run(self.listen())

    async def listen(self) -> None:
        layer = get_channel_layer()
        channel = await layer.new_channel()
        await layer.group_add(STATS_GROUP, channel)
        self.ready.set()
        while not self.stop.is_set():
            try:
                message = await asyncio.wait_for(layer.receive(channel), 0.5)
            except TimeoutError:
                continue
            frame = json.loads(message["text"])
            if frame.get("type") == "stats" and frame.get("host") in self.names:
                self.seen[frame["host"], frame["ts"]] += 1
        await layer.group_discard(STATS_GROUP, channel)


def owners() -> Counter:
    """Ingest process -> how many streams it holds a lease of."""
    redis, held = sync_redis(), Counter()
    for key in redis.scan_iter(match=f"{settings.REDIS_PREFIX}:ingest:lease:*", count=1000):
        value = redis.get(key)
        if value and not key.endswith(b"@installation"):
            held[value.decode().rsplit(" ", 1)[0]] += 1
    return held


def all_held_by(count: int, total: int) -> bool:
    held = owners()
    return len(held) == count and sum(held.values()) >= total


def history_counts(names: list[str]) -> Counter:
    """(agent, second) -> how many times it is in history."""
    sources = {agent_source(name): name for name in names}
    series = dict(Series.objects.filter(source__in=sources, metric="mem.percent").values_list("pk", "source"))
    counts = Counter()
    for series_id, start, data in RawBlock.objects.filter(series__in=series).values_list("series", "start", "data"):
        for second in decode_values(start, data).ts.tolist():
            counts[sources[series[series_id]], int(second)] += 1
    return counts


def pending(names: list[str]) -> int:
    with sync_redis().pipeline(transaction=False) as pipe:
        for name in names:
            pipe.xpending(streams.frames_key(name), intake.GROUP)
        return sum(reply["pending"] for reply in pipe.execute())


def test_three_ingests_one_killed_one_started_write_and_relay_every_frame_once(transactional_db):
    names = sorted(processes.agent_name(f"shard{i:03d}") for i in range(AGENTS))
    for name in names:
        processes.register(name)
    start = int(time.time()) - 3600
    expected = {(name, start + i) for name in names for i in range(ROUNDS)}
    dashboard = Dashboard(set(names))
    dashboard.start()
    assert dashboard.ready.wait(EVENT_TIMEOUT_S)
    with ExitStack() as running:
        ingests = [running.enter_context(processes.ingest(SAMPLE_PERSIST_EVERY="0.5")) for _ in range(3)]
        wait_for(lambda: all_held_by(3, AGENTS), EVENT_TIMEOUT_S, "the agents shared by three ingests")
        senders = Senders(names, start)
        senders.start()
        wait_for(lambda: senders.rounds >= ROUNDS // 4, EVENT_TIMEOUT_S, "a quarter of the frames sent")
        ingests[0].send_signal(signal.SIGKILL)
        ingests[0].wait(10)
        wait_for(lambda: all_held_by(2, AGENTS), EVENT_TIMEOUT_S, "the killed ingest's agents taken over")
        running.enter_context(processes.ingest(SAMPLE_PERSIST_EVERY="0.5"))
        wait_for(lambda: all_held_by(3, AGENTS), EVENT_TIMEOUT_S, "a share for the new ingest")
        senders.join(EVENT_TIMEOUT_S + ROUNDS * ROUND_S)
        wait_for(lambda: len(history_counts(names)) >= len(expected), EVENT_TIMEOUT_S, "every frame in history")
        wait_for(lambda: pending(names) == 0, EVENT_TIMEOUT_S, "every entry acknowledged")
        try:
            # Twice the usual bound: on a saturated machine a relay that took streams over works through
            # their backlog while the others are live (a passing run never waits this long).
            wait_for(lambda: expected <= set(dashboard.seen), 2 * EVENT_TIMEOUT_S, "every frame on the dashboards")
        except TimeoutError:
            missing = sorted(expected - set(dashboard.seen))
            raise AssertionError(f"{len(missing)} frames never on the dashboards, e.g. {missing[:5]}") from None
    dashboard.stop.set()
    dashboard.join(5)

    in_history = history_counts(names)
    assert set(in_history) == expected
    assert max(in_history.values()) == 1, "a frame written twice"
    doubled = {frame for frame, count in dashboard.seen.items() if count > 1}
    # Killed outright, an ingest may have sent its last round of frames without recording that it did:
    # its successor sends them again, one frame per agent at most; a clean handover doubles nothing.
    assert len(doubled) <= AGENTS // 2, f"{len(doubled)} frames sent twice to the dashboards"
