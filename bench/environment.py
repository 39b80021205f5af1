"""What every benchmark does first: a throwaway database (SQLite unless given), its own Redis prefix
emptied, then Django."""

import os
import tempfile
from pathlib import Path


def prepare(name: str, database_url: str | None = None) -> Path:
    """Point settings at a fresh work folder and set Django up; returns the folder."""
    workdir = Path(tempfile.mkdtemp(prefix=f"netmon-{name}-"))
    os.environ.update(
        DATABASE_URL=database_url or f"sqlite:///{workdir / 'bench.sqlite3'}",
        REDIS_PREFIX=f"netmon-{name}",
        # Every simulated dashboard of a benchmark signs in as one account.
        WS_MAX_SOCKETS_PER_USER="100000",
        DJANGO_SETTINGS_MODULE="NetWorkMonitor.settings",
    )
    import django

    import celery_app  # noqa: F401  (configures Celery before Django's apps load)

    django.setup()
    forget_earlier_runs(os.environ["REDIS_PREFIX"])
    return workdir


def forget_earlier_runs(prefix: str) -> None:
    """Delete what earlier runs left under `prefix`: their agents' latest frames and offline
    marks would otherwise be sent to every dashboard that connects in this one (38 agents'
    after a day of runs, each socket's first frames growing with each run)."""
    from core.redis_io.redis_clients import sync_redis

    client = sync_redis()
    for pattern in (f"{prefix}:*", f"{prefix}.*"):  # keys, and Celery's queues
        keys = list(client.scan_iter(match=pattern, count=1000))
        for begin in range(0, len(keys), 1000):
            client.delete(*keys[begin : begin + 1000])


def fresh_postgres(name: str) -> str:
    """A new, empty database `netmon_bench_<name>` on POSTGRES_TEST_URL's server; returns its URL."""
    from urllib.parse import urlsplit, urlunsplit

    import psycopg

    server = os.environ.get("POSTGRES_TEST_URL", "postgres://postgres@127.0.0.1:5432/netmon")
    parts = urlsplit(server)
    with psycopg.connect(urlunsplit(parts._replace(path="/postgres")), autocommit=True) as connection:
        connection.execute(f"DROP DATABASE IF EXISTS netmon_bench_{name}")
        connection.execute(f"CREATE DATABASE netmon_bench_{name}")
    return urlunsplit(parts._replace(path=f"/netmon_bench_{name}"))
