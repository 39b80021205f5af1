"""Make sure a PostgreSQL answers at POSTGRES_TEST_URL; start a local one if none does.

`make test` runs the suite on SQLite and then on PostgreSQL. A no-op when PostgreSQL
already answers. A server it starts lives in .run/postgres-<port>, trusts local
connections only, and is left running for the next run.
"""

import glob
import os
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import psycopg
from debian_packages import install
from local_service import wait_until_answering

RUN_DIR = Path(__file__).resolve().parent.parent / ".run"
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/netmon"


def answers(url: str) -> bool:
    parts = urlsplit(url)
    try:
        # The maintenance database: the test database is created by the test run.
        with psycopg.connect(
            host=parts.hostname, port=parts.port or 5432, user=parts.username, password=parts.password,
            dbname="postgres", connect_timeout=2,
        ):  # fmt: skip
            return True
    except psycopg.OperationalError:
        return False


def server_binaries() -> Path:
    """The directory holding initdb and pg_ctl, installing Debian's postgresql if needed."""

    def find() -> Path | None:
        if shutil.which("initdb") and shutil.which("pg_ctl"):
            return Path(shutil.which("pg_ctl")).parent
        versions = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"), key=lambda p: int(p.split("/")[4]))
        return Path(versions[-1]).parent if versions else None

    if found := find():
        return found
    install(
        "postgresql",
        "PostgreSQL is not installed: install it (e.g. `apt-get install postgresql`) or set POSTGRES_TEST_URL",
    )
    return find() or sys.exit("pg_ctl still not found after installing postgresql")


def as_server_user(command: list[str]) -> list[str]:
    """PostgreSQL refuses to run as root: run it as the postgres user then."""
    if os.geteuid() != 0:
        return command
    if subprocess.run(["id", "postgres"], capture_output=True).returncode != 0:
        subprocess.run(["useradd", "--system", "--no-create-home", "postgres"], check=True)
    return ["runuser", "-u", "postgres", "--", *command]


def start(url: str) -> None:
    parts = urlsplit(url)
    if parts.hostname not in LOCAL_HOSTS:
        sys.exit(f"No PostgreSQL answers at {parts.hostname}:{parts.port or 5432} and it is not local: start it")
    binaries = server_binaries()
    if answers(url):  # a Debian install may have started its own cluster
        return
    port = str(parts.port or 5432)
    data = RUN_DIR / f"postgres-{port}"
    if not (data / "PG_VERSION").exists():
        data.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            shutil.chown(data, "postgres", "postgres")
        initdb = [str(binaries / "initdb"), "-D", str(data), "-U", parts.username or "postgres", "--auth=trust"]
        subprocess.run(as_server_user(initdb), check=True, stdout=subprocess.DEVNULL)
    options = f"-p {port} -k {data} -c listen_addresses=127.0.0.1 -c fsync=off"
    pg_ctl = [str(binaries / "pg_ctl"), "-D", str(data), "-o", options, "-l", str(data / "server.log"), "-w", "start"]
    subprocess.run(as_server_user(pg_ctl), check=True, stdout=subprocess.DEVNULL)
    failure = f"started PostgreSQL on port {port} but it does not answer; see {data / 'server.log'}"
    wait_until_answering(lambda: answers(url), 20, failure)
    print(f"started a local PostgreSQL on 127.0.0.1:{port}")


def main() -> None:
    url = os.environ.get("POSTGRES_TEST_URL", DEFAULT_URL)
    if not answers(url):
        start(url)


if __name__ == "__main__":
    main()
