"""A benchmark's set-up empties only what a benchmark made, and refuses anything else."""

import os
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest
from django.conf import settings

from bench.environment import DATABASE_COMMENT, NotOurs, drop_if_ours, forget_earlier_runs
from core.redis_io.redis_clients import sync_redis


@pytest.fixture
def prefix():
    client, prefix = sync_redis(), f"{settings.REDIS_PREFIX}-benchcheck"
    yield prefix
    keys = list(client.scan_iter(match=f"{prefix}:*"))  # only the keys this test made
    if keys:
        client.delete(*keys)


def test_it_refuses_a_prefix_holding_keys_no_benchmark_made(prefix):
    client = sync_redis()
    client.set(f"{prefix}:agents", "an installation's")
    with pytest.raises(NotOurs):
        forget_earlier_runs(client, prefix, "test")
    assert client.get(f"{prefix}:agents") == b"an installation's"
    assert client.get(f"{prefix}:bench-owner") is None


def test_it_marks_an_empty_prefix_and_empties_it_on_the_next_run(prefix):
    client = sync_redis()
    forget_earlier_runs(client, prefix, "test")
    client.set(f"{prefix}:stats:latest", "from the first run")
    forget_earlier_runs(client, prefix, "test")
    assert client.get(f"{prefix}:stats:latest") is None
    assert client.get(f"{prefix}:bench-owner") is not None


@pytest.fixture
def server():
    url = os.environ.get("POSTGRES_TEST_URL")
    if not url:
        pytest.skip("POSTGRES_TEST_URL is not set")
    parts = urlsplit(url)
    database = f"{parts.path.strip('/')}_benchcheck"
    with psycopg.connect(urlunsplit(parts._replace(path="/postgres")), autocommit=True) as connection:
        connection.execute(f"DROP DATABASE IF EXISTS {database}")  # this test's own name, made below
        yield connection, database
        connection.execute(f"DROP DATABASE IF EXISTS {database}")


def exists(connection, database: str) -> bool:
    return connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [database]).fetchone() is not None


def test_it_refuses_to_drop_a_database_no_benchmark_made(server):
    connection, database = server
    connection.execute(f"CREATE DATABASE {database}")
    with pytest.raises(NotOurs):
        drop_if_ours(connection, database)
    assert exists(connection, database)


def test_it_drops_a_database_a_benchmark_made(server):
    connection, database = server
    connection.execute(f"CREATE DATABASE {database}")
    connection.execute(f"COMMENT ON DATABASE {database} IS '{DATABASE_COMMENT}'")
    drop_if_ours(connection, database)
    assert not exists(connection, database)
