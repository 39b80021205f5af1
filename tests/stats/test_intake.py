"""The central ingest writes every frame exactly once: after a crash, and through a database outage."""

import signal
import threading
import time

import psycopg
import pytest
from django.db import connection

from core.redis_io.redis_clients import sync_redis
from netmon_agent.runtime import Agent as AgentRuntime
from stats import intake, streams
from stats.history.blocks import decode_values
from stats.history.metrics import agent_source
from stats.models import Agent, RawBlock, Series
from tests import processes
from tests.servers import private_postgres, wait_for
from tests.waits import EVENT_TIMEOUT_S

pytestmark = pytest.mark.usefixtures("no_latest_frames")


def frame(name: str, ts: float, value: float) -> dict:
    return {"type": "stats", "host": name, "ts": ts, "mem": {"percent": value}}


def seconds_saved(name: str) -> list[int]:
    """Every second with a saved memory value, once per saved value (a double shows twice)."""
    series = Series.objects.filter(source=agent_source(name), metric="mem.percent").first()
    if series is None:
        return []
    return sorted(
        second
        for start, data in RawBlock.objects.filter(series=series).values_list("start", "data")
        for second in decode_values(start, data).ts.tolist()
    )


def test_a_batch_written_twice_is_saved_once(db):
    batch = {"edge-1": [(f"{1000 + i}-0", frame("edge-1", 1_800_000_000 + i, i)) for i in range(5)]}
    assert len(intake.write(batch)) == 5
    assert intake.write(batch) == []  # read again after a crash between commit and acknowledgement
    batch["edge-1"].append(("1005-0", frame("edge-1", 1_800_000_005, 5)))
    assert len(intake.write(batch)) == 1
    assert seconds_saved("edge-1") == [1_800_000_000 + i for i in range(6)]
    assert Agent.objects.get(name="edge-1").stream_position == "1005-0"


class ReplaySampler:
    """Stands in for the collectors: frames of consecutive seconds, sent by the real agent code."""

    def __init__(self, name: str, start: int) -> None:
        self.name, self.next = name, start

    def sample(self) -> dict:
        self.next += 1
        return frame(self.name, self.next - 1, float(self.next % 100))


@pytest.mark.pipeline
def test_an_ingest_killed_mid_stream_loses_nothing_and_doubles_nothing(transactional_db):
    name, count, start = processes.agent_name("killed"), 600, int(time.time()) - 7200
    processes.register(name)
    agent = AgentRuntime(sync_redis(), name, prefix=streams.registry_key().rsplit(":", 1)[0],
                         sampler=ReplaySampler(name, start))  # fmt: skip

    def send_all() -> None:
        for _ in range(count):
            agent.tick()
            time.sleep(0.005)  # about 200 frames/s, so the kill lands while frames arrive

    sender = threading.Thread(target=send_all)
    with processes.ingest(SAMPLE_PERSIST_EVERY="0.05") as first:
        sender.start()
        wait_for(lambda: len(seconds_saved(name)) >= 100, 30, "the first frames in history")
        first.send_signal(signal.SIGKILL)
        first.wait(10)
    assert len(seconds_saved(name)) < count  # killed mid-stream
    sender.join(30)
    with processes.ingest(SAMPLE_PERSIST_EVERY="0.05"):
        wait_for(lambda: len(seconds_saved(name)) >= count, 30, "every frame in history")
        # Acknowledged right after the commit the line above saw: wait for it, do not race it.
        pending = lambda: sync_redis().xpending(streams.frames_key(name), intake.GROUP)["pending"]  # noqa: E731
        wait_for(lambda: pending() == 0, EVENT_TIMEOUT_S, "every entry acknowledged")
    assert seconds_saved(name) == list(range(start, start + count))


def private_history(url: str, name: str) -> list[int]:
    with psycopg.connect(url) as db:
        rows = db.execute(
            "SELECT c.start, c.data FROM stats_rawblock c JOIN stats_series s ON s.id = c.series_id "
            "WHERE s.source = %s AND s.metric = 'mem.percent'",
            [agent_source(name)],
        ).fetchall()
    return sorted(second for start, data in rows for second in decode_values(start, data).ts.tolist())


@pytest.mark.pipeline
@pytest.mark.skipif(connection.vendor != "sqlite", reason="runs once per `make test`, in the SQLite pass")
def test_a_minute_without_the_database_is_written_when_it_returns(db):
    name = processes.agent_name("outage")
    processes.register(name)
    with private_postgres(migrated=True) as postgres:
        env = {"DATABASE_URL": postgres.url}
        with processes.ingest(**env), processes.agent(name):
            wait_for(lambda: private_history(postgres.url, name), 30, "the agent's first frames in history")
            postgres.stop()
            stopped = time.time()
            wait_for(lambda: time.time() - stopped >= 60, 70, "a minute of outage")  # the outage is the test
            backlog = sync_redis().xlen(streams.frames_key(name))
            postgres.start()
            restarted = time.time()
            outage = set(range(int(stopped), int(restarted)))
            wait_for(lambda: outage <= set(private_history(postgres.url, name)), 60, "the outage's frames")
            saved = private_history(postgres.url, name)
    assert backlog >= 55  # they waited in Redis meanwhile
    assert len(saved) == len(set(saved))  # and none was written twice
