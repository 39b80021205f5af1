"""Real daphne, agent, ingest, Celery worker and beat processes for the pipeline and browser tests.

Each is started as NetWorkMonitor/processes.py defines it (as `make run` and compose do), with
the options a test needs given by name. They share the test database (a file, see settings)
and the test run's Redis prefix.
"""

import os
import shlex
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager, ExitStack, contextmanager
from datetime import timedelta
from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.db import connection
from django.utils import timezone

from celery_app import CHECKS_QUEUE
from core.redis_io.redis_clients import sync_redis
from monitor.models import ClaimedSlot
from NetWorkMonitor.processes import command as process_command
from stats import streams

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def database_url() -> str:
    """The test database as a DATABASE_URL, for processes started by the tests."""
    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{db['NAME']}"
    password = f":{quote(db['PASSWORD'])}" if db["PASSWORD"] else ""
    return f"postgres://{quote(db['USER'])}{password}@{db['HOST'] or 'localhost'}:{db['PORT'] or 5432}/{db['NAME']}"


def agent_name(kind: str) -> str:
    return f"{kind}-{uuid.uuid4().hex[:8]}"


OUTPUT_SHOWN = 6_000  # characters of a process's output shown when a test fails beside it


@contextmanager
def running(
    command: list[str], ready: Callable[[str], bool], timeout: float = 60, namespace: str | None = None, **env: str
) -> Iterator[subprocess.Popen]:
    """Run `command` until the block ends; enter once `ready(output so far)` is true.

    With `namespace`, inside that network namespace (`ip netns exec`: a machine of its own).
    """
    with tempfile.NamedTemporaryFile("w+", suffix=".log") as log:
        process = subprocess.Popen(
            ["ip", "netns", "exec", namespace, *command] if namespace else command,
            cwd=ROOT,
            # Unbuffered: readiness is read from the output, whatever the caller's environment says.
            env={**os.environ, "DATABASE_URL": database_url(), "PYTHONUNBUFFERED": "1", **env},
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            deadline = time.monotonic() + timeout
            while not ready(Path(log.name).read_text()):
                if process.poll() is not None:
                    raise RuntimeError(f"{shlex.join(command)} exited early:\n{Path(log.name).read_text()}")
                if time.monotonic() > deadline:
                    raise TimeoutError(f"{shlex.join(command)} not ready in {timeout} s:\n{Path(log.name).read_text()}")
                time.sleep(0.05)
            yield process
        except BaseException:
            # The test failed with this process running: its output is what tells why.
            print(f"--- output of {shlex.join(command)}:\n{Path(log.name).read_text()[-OUTPUT_SHOWN:]}")
            raise
        finally:
            if process.poll() is None:
                process.terminate()
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@contextmanager
def together(*parts: AbstractContextManager) -> Iterator[list]:
    """Enter `parts` (processes from this module) at once, as nested `with`s would one after another.

    Each spends its ~2 s start-up importing Django and Celery; started side by side they share the
    machine's cores instead of queueing. Entered once every one is ready; the block gets what each
    gives (its process), and the parts stop in reverse order as nested `with`s do. A part that failed
    to start fails the block once the others have started, and those are stopped.
    """
    with ExitStack() as stack:
        pool = ThreadPoolExecutor(len(parts))
        starts = [pool.submit(part.__enter__) for part in parts]
        try:
            pool.shutdown(wait=True)
        finally:
            # Also when the wait is interrupted (a test's timeout): `exception()` waits for each start,
            # so what started is stopped with the block, not left behind.
            for part, start in zip(parts, starts, strict=True):
                if start.exception() is None:
                    stack.push(part)
        failed = [start.exception() for start in starts if start.exception() is not None]
        if failed:
            raise failed[0]
        yield [start.result() for start in starts]


def port_open(port: int) -> Callable[[str], bool]:
    def ready(_output: str) -> bool:
        with socket.socket() as probe:
            return probe.connect_ex(("127.0.0.1", port)) == 0

    return ready


def logged(text: str) -> Callable[[str], bool]:
    return lambda output: text in output


def daphne(port: int):
    return running(
        [str(BIN / "daphne"), "-b", "127.0.0.1", "-p", str(port), "NetWorkMonitor.asgi:application"],
        port_open(port),
    )


def serve(port: int, count: int, host: str = "127.0.0.1", namespace: str | None = None, **env: str):
    """`manage.py serve`: `count` daphne processes sharing the port, started again when one dies."""
    command = process_command("web", "--host", host, "--port", str(port), "--processes", str(count))
    # Outside this namespace the port cannot be probed: `serve` listens before it says so.
    ready = logged("serving http://") if namespace else port_open(port)
    return running(command, ready, namespace=namespace, **env)


def add_agent(name: str, **env: str) -> str:
    """`manage.py agents add`, as an operator runs it (its Redis user made): the agent's Redis URL."""
    command = [sys.executable, "manage.py", "agents", "add", name, "--url-only"]
    run_env = {**os.environ, "DATABASE_URL": database_url(), **env}
    return subprocess.run(command, cwd=ROOT, env=run_env, check=True, capture_output=True, text=True).stdout.strip()


def register(name: str) -> None:
    """Register an agent without making its Redis user: the shared Redis's users are not the tests' to change.

    Agents started with `agent()` connect as the test run's own (default) user; the
    ACL users themselves are tested on a private Redis (tests/stats/test_credentials.py).
    """
    sync_redis().sadd(streams.registry_key(), name)


def agent(name: str, redis_url: str | None = None, interval: float = 1.0, namespace: str | None = None, **env: str):
    """A real agent process (`python -m netmon_agent`), streaming this machine's frames.

    Its URL, which holds its password, goes in its environment: never on a command line.
    """
    command = process_command("agent", "--name", name, "--prefix", settings.REDIS_PREFIX, "--interval", str(interval))
    return running(
        command, logged("sampling every"), namespace=namespace, **{**env, "REDIS_URL": redis_url or settings.REDIS_URL}
    )


def ingest(namespace: str | None = None, **env: str):
    """The central ingest: relays frames to dashboards, writes history, watches presence."""
    return running(process_command("ingest"), logged("ingest running"), namespace=namespace, **env)


def probes_service(namespace: str | None = None, **env: str):
    """The probes process: publishes assignments, writes the probes' results, watches their leases."""
    return running(process_command("probes"), logged("probes: publishing"), namespace=namespace, **env)


def beat(schedule_dir: Path, namespace: str | None = None, **env: str):
    command = process_command("beat", schedule=str(schedule_dir / "beat-schedule"))
    return running(command, logged(". maxinterval"), namespace=namespace, **env)


def worker(
    kind: str,
    name: str,
    namespace: str | None = None,
    pool: str | None = None,
    concurrency: int | None = None,
    **env: str,
):
    """A Celery worker of `kind` (a name in NetWorkMonitor/processes.py) on the test run's queues, as node `name`."""
    command = process_command(kind, prefix=settings.REDIS_PREFIX, node=f"{name}@%h", pool=pool, concurrency=concurrency)
    return running(command, logged(" ready."), namespace=namespace, **env)


def holds_a_claimed_run() -> bool:
    """A run whose slot is yet to come was claimed and taken off the queue: a checks worker has it in hand."""
    ahead = ClaimedSlot.objects.filter(slot__gt=timezone.now() + timedelta(seconds=0.3)).exists()
    return ahead and sync_redis().llen(CHECKS_QUEUE) == 0


def checks_worker(name: str, namespace: str | None = None, **env: str):
    """A checks worker: runs claimed checks, many at once on its event loop."""
    # Half the Procfile's threads: the test machine is shared, and no test runs 16 checks at once.
    return worker("checks", name, namespace, concurrency=8, **env)


@contextmanager
def checking(schedule_dir: Path, **env: str):
    """Everything that runs checks: beat, a dispatcher (general worker) and a checks worker."""
    with together(
        beat(schedule_dir, **env),
        tasks_worker(agent_name("dispatcher"), **env),
        checks_worker(agent_name("checks"), **env),
    ):
        yield


def tasks_worker(name: str, namespace: str | None = None, **env: str):
    """A general worker: the check dispatcher and status pages."""
    # One process: a test's tasks run one after another, and the machine is shared.
    return worker("worker", name, namespace, pool="solo", **env)


def notifications_worker(name: str, namespace: str | None = None, **env: str):
    """A notifications worker as the Procfile runs it: attempts in threads, each cut after NOTIFY_ATTEMPT_S."""
    return worker("notifications", name, namespace, **env)


def housekeeping_worker(name: str):
    """The housekeeping worker: history rollups and pruning."""
    return worker("housekeeping", name)


def events_receiver(trap_port: int, syslog_port: int, **env: str):
    """The network events receiver (traps and syslog) on loopback ports of the test's choosing."""
    ports = {"TRAP_PORT": str(trap_port), "SYSLOG_PORT": str(syslog_port), "EVENTS_HOST": "127.0.0.1"}
    return running(process_command("events"), logged("receiving traps"), **{**ports, **env})
