"""Debian's VictoriaMetrics, started by a test on free loopback ports with data folders of its own:
one store, or several behind vmagent (every write to each) and vmauth (one URL, deploy/history/vmauth.yml)."""

import os
import secrets
import signal
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from tests.servers import free_port, wait_for
from tests.waits import EVENT_TIMEOUT_S

BINARY = "/usr/bin/victoria-metrics"
VMAUTH_CONFIG = Path(__file__).resolve().parent.parent / "deploy" / "history" / "vmauth.yml"
# The stores' flags the docs give, less what only a test wants (below).
STORE_FLAGS = ["-retentionPeriod=100y", "-dedup.minScrapeInterval=1ms"]
# Data visible at once, no cache of answers the tests' backfilled values would make stale.
TEST_FLAGS = ["-search.latencyOffset=0s", "-search.disableCache", "-loggerLevel=ERROR"]


class Process:
    """A daemon of the VictoriaMetrics family on a loopback port; stopped, killed and started again."""

    def __init__(self, port: int, argv: list[str], env: dict[str, str] | None = None) -> None:
        self.port, self.argv, self.env = port, argv, env
        self.url = f"http://127.0.0.1:{port}"
        self.process: subprocess.Popen | None = None

    def start(self) -> "Process":
        env = {**os.environ, **(self.env or {})}
        self.process = subprocess.Popen(self.argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
        wait_for(lambda: answers(self.url), EVENT_TIMEOUT_S, f"{Path(self.argv[0]).name} on port {self.port}")
        return self

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.kill()


def store(directory: Path) -> Process:
    port = free_port()
    flags = [f"-storageDataPath={directory}", f"-httpListenAddr=127.0.0.1:{port}", *STORE_FLAGS, *TEST_FLAGS]
    return Process(port, [BINARY, *flags])


@contextmanager
def private_victoria_metrics() -> Iterator[str]:
    """A victoria-metrics process; yields its base URL."""
    with tempfile.TemporaryDirectory(prefix="netmon-vm-") as directory:
        single = store(Path(directory))
        try:
            yield single.start().url
        finally:
            single.stop()


@dataclass
class Replicas:
    stores: list[Process]
    vmagent: Process
    vmauth: Process
    password: str
    url: str = field(init=False)

    def __post_init__(self) -> None:
        self.url = f"http://netmon:{self.password}@127.0.0.1:{self.vmauth.port}"


@contextmanager
def replicated_stores() -> Iterator[Replicas]:
    """Two stores, vmagent writing to each and vmauth in front, configured as deploy/history says."""
    with tempfile.TemporaryDirectory(prefix="netmon-vm-") as directory, ExitStack() as running:
        root = Path(directory)
        stores = [store(root / f"store-{number}") for number in (1, 2)]
        agent_port = free_port()
        vmagent = Process(agent_port, ["/usr/bin/vmagent", f"-httpListenAddr=127.0.0.1:{agent_port}",
            f"-remoteWrite.tmpDataPath={root / 'vmagent'}", "-loggerLevel=ERROR",
            *(f"-remoteWrite.url={each.url}/api/v1/write" for each in stores)])  # fmt: skip
        config = root / "vmauth.yml"
        config.write_text(local_vmauth_config(vmagent, stores))
        auth_port, password = free_port(), secrets.token_urlsafe(12)
        vmauth = Process(auth_port, ["/usr/bin/vmauth", f"-auth.config={config}",
            f"-httpListenAddr=127.0.0.1:{auth_port}", "-loggerLevel=ERROR"],
            env={"NETMON_HISTORY_PASSWORD": password})  # fmt: skip
        for process in (*stores, vmagent, vmauth):
            running.callback(process.stop)
            process.start()
        yield Replicas(stores, vmagent, vmauth, password)


def local_vmauth_config(vmagent: Process, stores: list[Process]) -> str:
    """deploy/history/vmauth.yml with its example addresses replaced by the test's processes."""
    text = VMAUTH_CONFIG.read_text()
    given = {"http://vmagent.example:8429": vmagent.url}
    given |= {f"http://store-{number}.example:8428": each.url for number, each in enumerate(stores, 1)}
    for example, local in given.items():
        assert example in text, f"{example} is no longer in {VMAUTH_CONFIG}"
        text = text.replace(example, local)
    return text


def answers(url: str) -> bool:
    try:
        return httpx.get(f"{url}/health", timeout=1).status_code == 200
    except httpx.HTTPError:
        return False


def flush(url: str) -> None:
    """Make what was imported searchable now (VictoriaMetrics does so within a second by itself)."""
    httpx.get(f"{url}/internal/force_flush", timeout=10).raise_for_status()
