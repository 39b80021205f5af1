"""Private Redis and PostgreSQL servers for tests that change users, or stop and start them.

The shared servers are never touched beyond the test run's own keys; these live on
free ports in a temporary directory and are stopped when the block ends.
"""

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import redis


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(condition, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what} not within {seconds} s")
        time.sleep(0.02)


class PrivateRedis:
    def __init__(self, port: int, directory: Path) -> None:
        self.port, self.directory = port, directory
        self.url = f"redis://127.0.0.1:{port}/0"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        command = [shutil.which("redis-server"), "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
                   "--appendonly", "no", "--dir", str(self.directory)]  # fmt: skip
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_for(self.answers, 10, f"redis-server on port {self.port}")

    def answers(self) -> bool:
        try:
            return redis.Redis(port=self.port, socket_connect_timeout=0.5).ping()
        except redis.ConnectionError:
            return False

    def kill(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait()


@contextmanager
def private_redis() -> Iterator[PrivateRedis]:
    """A redis-server of the test's own (ACL users may be changed there)."""
    with tempfile.TemporaryDirectory() as directory:
        server = PrivateRedis(free_port(), Path(directory))
        server.start()
        try:
            yield server
        finally:
            server.kill()


def postgres_binaries() -> Path:
    if shutil.which("pg_ctl") and shutil.which("initdb"):
        return Path(shutil.which("pg_ctl")).parent
    versions = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"), key=lambda p: int(p.split("/")[4]))
    return Path(versions[-1]).parent


def as_postgres(command: list[str]) -> list[str]:
    """PostgreSQL refuses to run as root (scripts/ensure_postgres.py made the postgres user)."""
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


class PrivatePostgres:
    def __init__(self, port: int, data: Path) -> None:
        self.port, self.data = port, data
        self.url = f"postgres://postgres@127.0.0.1:{port}/postgres"
        self.bin = postgres_binaries()

    def pg_ctl(self, *args: str) -> None:
        options = f"-p {self.port} -k {self.data} -c listen_addresses=127.0.0.1 -c fsync=off"
        command = [str(self.bin / "pg_ctl"), "-D", str(self.data), "-o", options, "-l", str(self.data / "log"), *args]
        subprocess.run(as_postgres(command), check=True, stdout=subprocess.DEVNULL)

    def start(self) -> None:
        self.pg_ctl("-w", "start")

    def stop(self) -> None:
        self.pg_ctl("-w", "-m", "fast", "stop")


@contextmanager
def private_postgres() -> Iterator[PrivatePostgres]:
    """A PostgreSQL cluster of the test's own, on a free port; it may be stopped and started."""
    with tempfile.TemporaryDirectory() as directory:
        data = Path(directory) / "data"
        data.mkdir()
        if os.geteuid() == 0:
            shutil.chown(directory, "postgres", "postgres")
            shutil.chown(data, "postgres", "postgres")
        server = PrivatePostgres(free_port(), data)
        initdb = [str(server.bin / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust"]
        subprocess.run(as_postgres(initdb), check=True, stdout=subprocess.DEVNULL)
        server.start()
        try:
            yield server
        finally:
            subprocess.run(as_postgres([str(server.bin / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"]),
                           capture_output=True)  # fmt: skip
