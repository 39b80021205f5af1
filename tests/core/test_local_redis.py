"""The Redis that `make run` starts for itself (scripts/ensure_redis.py) keeps agents' frames across a crash."""

import os
import signal
from pathlib import Path

import pytest
import redis

from tests.servers import free_port, wait_for
from tests.waits import EVENT_TIMEOUT_S

SCRIPTS = Path(__file__).resolve().parent.parent.parent / "scripts"


@pytest.fixture
def ensure_redis(monkeypatch, tmp_path):
    """scripts/ensure_redis.py, keeping its server's files in a directory of the test's own."""
    monkeypatch.syspath_prepend(str(SCRIPTS))
    import ensure_redis

    monkeypatch.setattr(ensure_redis, "RUN_DIR", tmp_path)
    return ensure_redis


def aof_written(client: redis.Redis) -> bool:
    """Nothing left in Redis's own buffer: what was written is in the file, where a killed process
    cannot lose it (everysec's fsync only matters when the machine itself goes down)."""
    info = client.info("persistence")
    return info["aof_enabled"] == 1 and info["aof_buffer_length"] == 0 and info["aof_pending_bio_fsync"] == 0


def test_a_stream_entry_outlives_a_kill_and_restart_of_the_local_redis(ensure_redis, tmp_path):
    port = free_port()
    url = f"redis://127.0.0.1:{port}/0"
    client = redis.Redis(port=port, socket_timeout=EVENT_TIMEOUT_S)
    pid_file = tmp_path / f"redis-{port}.pid"
    ensure_redis.start(url)
    try:
        entry = client.xadd("netmon:agent:edge-1:frames", {"frame": '{"type": "stats"}'})
        wait_for(lambda: aof_written(client), EVENT_TIMEOUT_S, "the entry in the append-only file")

        os.kill(int(pid_file.read_text()), signal.SIGKILL)
        wait_for(lambda: not ensure_redis.answers(url), EVENT_TIMEOUT_S, "the killed Redis gone")
        ensure_redis.start(url)

        assert client.xrange("netmon:agent:edge-1:frames") == [(entry, {b"frame": b'{"type": "stats"}'})]
    finally:
        if ensure_redis.answers(url):
            os.kill(int(pid_file.read_text()), signal.SIGTERM)
