"""Private Redis and PostgreSQL servers for tests that change users, or stop and start them.

The shared servers are never touched beyond the test run's own keys; these live on
free ports in a temporary directory and are stopped when the block ends.
"""

import glob
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import redis

from netmon_agent.sentinels import DISCOVERY_COMMANDS
from tests.waits import EVENT_TIMEOUT_S


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
    def __init__(self, port: int, directory: Path, *options: str) -> None:
        self.port, self.directory, self.options = port, directory, options
        self.url = f"redis://127.0.0.1:{port}/0"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        command = [shutil.which("redis-server"), "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
                   "--appendonly", "no", "--dir", str(self.directory), *self.options]  # fmt: skip
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_for(self.answers, EVENT_TIMEOUT_S, f"redis-server on port {self.port}")

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


class Sentinels:
    """A master, a replica and three sentinels watching them (quorum 2), on free loopback ports.

    As in production, one sentinel cannot fail over alone; they agree the master is down
    a second after it stops answering (`down-after-milliseconds`).
    """

    NAME = "netmon-test"
    # As a deployment should: the default user is the operators' (it may fail over and
    # reconfigure), and the product's parts get a user that can only find the master.
    ADMIN_PASSWORD = "sentinel-admin"
    DISCOVERY_USER, DISCOVERY_PASSWORD = "netmon-discovery", "sentinel-discovery"

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.master = PrivateRedis(free_port(), directory / "master")
        self.replica = PrivateRedis(
            free_port(), directory / "replica", "--replicaof", "127.0.0.1", str(self.master.port)
        )
        self.ports = [free_port() for _ in range(3)]
        self.processes: list[subprocess.Popen] = []

    def start(self) -> None:
        for server in (self.master, self.replica):
            server.directory.mkdir()
            server.start()
        wait_for(self.replicated, EVENT_TIMEOUT_S, "the replica in sync")
        for port in self.ports:
            config = self.directory / f"sentinel-{port}.conf"
            config.write_text(
                f"port {port}\nbind 127.0.0.1\ndir {self.directory}\n"
                f"sentinel monitor {self.NAME} 127.0.0.1 {self.master.port} 2\n"
                f"sentinel down-after-milliseconds {self.NAME} 1000\n"
                f"sentinel failover-timeout {self.NAME} 10000\n"
                f"user default on >{self.ADMIN_PASSWORD} ~* &* +@all\n"
                f"user {self.DISCOVERY_USER} on >{self.DISCOVERY_PASSWORD} -@all {DISCOVERY_COMMANDS}\n"
                f"sentinel sentinel-pass {self.ADMIN_PASSWORD}\n"  # what the sentinels tell each other with
            )
            command = [shutil.which("redis-server"), str(config), "--sentinel"]
            self.processes.append(subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        wait_for(self.watching, EVENT_TIMEOUT_S, "three sentinels that know each other and the replica")

    def replicated(self) -> bool:
        info = redis.Redis(port=self.replica.port, socket_timeout=1).info("replication")
        return info.get("master_link_status") == "up"

    def ask(self, port: int) -> dict:
        sentinel = redis.Redis(port=port, password=self.ADMIN_PASSWORD, socket_timeout=1, decode_responses=True)
        return sentinel.sentinel_master(self.NAME)

    def watching(self) -> bool:
        try:
            masters = [self.ask(port) for port in self.ports]
        except (redis.ConnectionError, redis.ResponseError):
            return False
        return all(m["num-other-sentinels"] == 2 and m["num-slaves"] == 1 for m in masters)

    def master_port(self) -> int:
        """The master's port, as the sentinels name it."""
        return int(self.ask(self.ports[0])["port"])

    def promoted(self) -> bool:
        """The sentinels name the replica as the master: they failed over."""
        return self.master_port() == self.replica.port

    def env(self) -> dict[str, str]:
        """What a server process needs to find the master through the sentinels."""
        return {
            "REDIS_URL": "redis://127.0.0.1:1/0",  # its server is never used: the sentinels name the master
            "REDIS_SENTINELS": ",".join(f"127.0.0.1:{port}" for port in self.ports),
            "REDIS_SENTINEL_MASTER": self.NAME,
            "REDIS_SENTINEL_USER": self.DISCOVERY_USER,
            "REDIS_SENTINEL_PASSWORD": self.DISCOVERY_PASSWORD,
        }

    def stop(self) -> None:
        for process in self.processes:
            process.kill()
            process.wait()
        self.master.kill()
        self.replica.kill()


@contextmanager
def sentinels() -> Iterator[Sentinels]:
    with tempfile.TemporaryDirectory() as directory:
        watched = Sentinels(Path(directory))
        try:
            watched.start()
            yield watched
        finally:
            watched.stop()


def postgres_binaries() -> Path:
    if shutil.which("pg_ctl") and shutil.which("initdb"):
        return Path(shutil.which("pg_ctl")).parent
    versions = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"), key=lambda p: int(p.split("/")[4]))
    return Path(versions[-1]).parent


def as_postgres(command: list[str]) -> list[str]:
    """PostgreSQL refuses to run as root (scripts/ensure_postgres.py made the postgres user)."""
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


class PrivatePostgres:
    def __init__(self, port: int, data: Path, address: str = "127.0.0.1", namespace: str | None = None) -> None:
        self.port, self.data, self.address = port, data, address
        self.url = f"postgres://postgres@{address}:{port}/postgres"
        self.bin = postgres_binaries()
        # Run inside this network namespace (a machine of its own in tests/topology/).
        self.inside = ["ip", "netns", "exec", namespace] if namespace else []

    def pg_ctl(self, *args: str) -> None:
        options = f"-p {self.port} -k {self.data} -c listen_addresses={self.address} -c fsync=off"
        command = [str(self.bin / "pg_ctl"), "-D", str(self.data), "-o", options, "-l", str(self.data / "log"), *args]
        subprocess.run([*self.inside, *as_postgres(command)], check=True, stdout=subprocess.DEVNULL)

    def start(self) -> None:
        self.pg_ctl("-w", "start")

    def stop(self) -> None:
        self.pg_ctl("-w", "-m", "fast", "stop")


def cluster_directory(directory: str) -> Path:
    data = Path(directory) / "data"
    data.mkdir()
    if os.geteuid() == 0:
        shutil.chown(directory, "postgres", "postgres")
        shutil.chown(data, "postgres", "postgres")
    return data


def initdb(data: Path) -> None:
    command = [str(postgres_binaries() / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust"]
    subprocess.run(as_postgres(command), check=True, stdout=subprocess.DEVNULL)


MIGRATED: list[tempfile.TemporaryDirectory] = []  # the run's migrated cluster, once made; removed at exit


def migrated_cluster() -> Path:
    """A stopped cluster's data directory holding the project's tables (`manage.py migrate`), made once a run.

    Migrating takes about 9 s; copying the 44 MB directory a fraction of one. Each test that asks
    for a migrated database gets a copy of its own, so what one test writes no other sees.
    """
    if not MIGRATED:
        holder = tempfile.TemporaryDirectory()
        data = cluster_directory(holder.name)
        initdb(data)
        server = PrivatePostgres(free_port(), data)
        server.start()
        try:
            migrate = [sys.executable, "manage.py", "migrate", "-v", "0"]
            root = Path(__file__).resolve().parent.parent
            subprocess.run(migrate, cwd=root, env={**os.environ, "DATABASE_URL": server.url}, check=True)
        finally:
            server.stop()  # a clean stop: the copies start without recovery
        MIGRATED.append(holder)
    return Path(MIGRATED[0].name) / "data"


@contextmanager
def private_postgres(
    address: str = "127.0.0.1", namespace: str | None = None, migrated: bool = False
) -> Iterator[PrivatePostgres]:
    """A PostgreSQL cluster of the test's own, on a free port; it may be stopped and started.

    Given an address other than loopback, it trusts that address's /24 (a test network).
    `migrated`: its database already holds the project's tables, as after `manage.py migrate`.
    """
    with tempfile.TemporaryDirectory() as directory:
        data = cluster_directory(directory)
        server = PrivatePostgres(free_port() if namespace is None else 5432, data, address, namespace)
        if migrated:
            # -a keeps the files' owner (postgres) and modes (PostgreSQL refuses a data directory others can read).
            subprocess.run(["cp", "-a", f"{migrated_cluster()}/.", str(data)], check=True)
        else:
            initdb(data)
        if address != "127.0.0.1":
            network = address.rsplit(".", 1)[0] + ".0/24"
            with (data / "pg_hba.conf").open("a") as rules:
                rules.write(f"host all all {network} trust\n")
        server.start()
        try:
            yield server
        finally:
            stop = as_postgres([str(server.bin / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"])
            subprocess.run([*server.inside, *stop], capture_output=True)
