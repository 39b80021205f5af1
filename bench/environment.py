"""What every benchmark does first: a throwaway database (SQLite unless given), its own Redis prefix, then Django."""

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
    return workdir


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
