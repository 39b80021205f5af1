"""Debian's VictoriaMetrics, started by a test on a free loopback port with a data folder of its own."""

import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager

import httpx

from tests.servers import free_port, wait_for
from tests.waits import EVENT_TIMEOUT_S

BINARY = "/usr/bin/victoria-metrics"


@contextmanager
def private_victoria_metrics() -> Iterator[str]:
    """A victoria-metrics process; yields its base URL."""
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="netmon-vm-") as directory:
        process = subprocess.Popen(
            [
                BINARY,
                f"-storageDataPath={directory}",
                f"-httpListenAddr=127.0.0.1:{port}",
                "-retentionPeriod=100y",
                # One sample per series and millisecond (a batch written again), data visible at once, no cache
                # of answers the test's backfilled values would make stale.
                "-dedup.minScrapeInterval=1ms",
                "-search.latencyOffset=0s",
                "-search.disableCache",
                "-loggerLevel=ERROR",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        url = f"http://127.0.0.1:{port}"
        try:
            wait_for(lambda: answers(url), EVENT_TIMEOUT_S, "victoria-metrics answering")
            yield url
        finally:
            process.terminate()
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def answers(url: str) -> bool:
    try:
        return httpx.get(f"{url}/health", timeout=1).status_code == 200
    except httpx.HTTPError:
        return False


def flush(url: str) -> None:
    """Make what was imported searchable now (VictoriaMetrics does so within a second by itself)."""
    httpx.get(f"{url}/internal/force_flush", timeout=10).raise_for_status()
