"""What every benchmark does first: a throwaway database and a Redis prefix of its own, then Django.

A benchmark only ever empties what a benchmark made. Its Redis prefix carries a marker key
it set itself the first time; its PostgreSQL database a comment it wrote when it created
it. Pointed by mistake at keys or a database without that mark (a real installation's),
set-up refuses to start instead of deleting them.
"""

import os
import tempfile
from pathlib import Path

MARKER_SUFFIX = "bench-owner"
DATABASE_COMMENT = "netmon benchmark scratch database"


class NotOurs(SystemExit):
    """Set-up found data that no benchmark made; nothing was touched."""


def bench_prefix(name: str) -> str:
    """Every benchmark's keys live under netmon-bench-… (never the prefix of an installation), or under
    BENCH_REDIS_PREFIX: two runs of one benchmark on a shared Redis each need a prefix of their own."""
    return os.environ.get("BENCH_REDIS_PREFIX") or f"netmon-bench-{name.removeprefix('bench-')}"


def prepare(name: str, database_url: str | None = None) -> Path:
    """Point settings at a fresh work folder and set Django up; returns the folder."""
    workdir = Path(tempfile.mkdtemp(prefix=f"netmon-{name}-"))
    os.environ.update(
        DATABASE_URL=database_url or f"sqlite:///{workdir / 'bench.sqlite3'}",
        REDIS_PREFIX=bench_prefix(name),
        # Every simulated dashboard of a benchmark signs in as one account.
        WS_MAX_SOCKETS_PER_USER="100000",
        DJANGO_SETTINGS_MODULE="NetWorkMonitor.settings",
    )
    import django

    import celery_app  # noqa: F401  (configures Celery before Django's apps load)

    django.setup()
    from core.redis_io.redis_clients import sync_redis

    forget_earlier_runs(sync_redis(), os.environ["REDIS_PREFIX"], name)
    return workdir


def _keys(client, prefix: str) -> list:
    return [key for pattern in (f"{prefix}:*", f"{prefix}.*") for key in client.scan_iter(match=pattern, count=1000)]


def forget_earlier_runs(client, prefix: str, name: str) -> None:
    """Delete what earlier runs of a benchmark left under `prefix`, and mark it as a benchmark's.

    Earlier runs' latest frames and offline marks would otherwise reach every dashboard of
    this one. Refuses (NotOurs) when keys are there that no benchmark marked.
    """
    marker = f"{prefix}:{MARKER_SUFFIX}"
    keys = [key for key in _keys(client, prefix) if _text(key) != marker]
    if keys and client.get(marker) is None:
        raise NotOurs(
            f"refusing to start: {len(keys)} Redis keys under {prefix!r} were not made by a benchmark "
            f"(no {marker} key); nothing was deleted"
        )
    client.set(marker, f"made by the benchmark {name}")
    for begin in range(0, len(keys), 1000):
        client.delete(*keys[begin : begin + 1000])


def _text(value) -> str:
    return value.decode() if isinstance(value, bytes) else value


def fresh_postgres(name: str) -> str:
    """A new, empty database `netmon_bench_<name>` on POSTGRES_TEST_URL's server; returns its URL.

    An existing database of that name is dropped only if a benchmark made it (its comment says so).
    """
    from urllib.parse import urlsplit, urlunsplit

    import psycopg

    server = os.environ.get("POSTGRES_TEST_URL", "postgres://postgres@127.0.0.1:5432/netmon")
    parts = urlsplit(server)
    database = f"netmon_bench_{name}"
    with psycopg.connect(urlunsplit(parts._replace(path="/postgres")), autocommit=True) as connection:
        drop_if_ours(connection, database)
        connection.execute(f"CREATE DATABASE {database}")
        connection.execute(f"COMMENT ON DATABASE {database} IS '{DATABASE_COMMENT}'")
    return urlunsplit(parts._replace(path=f"/{database}"))


def drop_if_ours(connection, database: str) -> None:
    """Drop `database` if a benchmark made it; refuse (NotOurs) if someone else did; nothing if absent."""
    row = connection.execute(
        "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s", [database]
    ).fetchone()
    if row is None:
        return
    if row[0] != DATABASE_COMMENT:
        raise NotOurs(f"refusing to start: database {database!r} exists and no benchmark made it; nothing was dropped")
    connection.execute(f"DROP DATABASE {database}")
