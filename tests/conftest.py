import subprocess
import sys
from pathlib import Path

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.core.management import call_command
from django.test import Client
from playwright.async_api import async_playwright

from accounts import roles
from core.redis_io.redis_clients import sync_redis
from NetWorkMonitor.asgi import application
from stats import agent_wheel, streams
from stats.latest import latest_key
from tests import quick_flush
from tests.browser import launch
from tests.waits import EVENT_TIMEOUT_S

# The site the test sockets reach (their Host header) and the origin of its own pages.
HOST = b"localhost"
ORIGIN = b"http://localhost"


quick_flush.install()

# Fixtures through which a test reaches the database (directly or through one that needs them).
DATABASE_FIXTURES = {
    "db",
    "transactional_db",
    "django_db_reset_sequences",
    "django_db_serialized_rollback",
    "live_server",
}


def pytest_addoption(parser):
    parser.addoption(
        "--database-tests-only",
        action="store_true",
        help="run only the tests that reach the database: the second engine's pass (scripts/test.sh)",
    )


def pytest_collection_modifyitems(config, items):
    """With --database-tests-only, leave out what no database engine can change: a test without a
    database fixture or marker cannot open a connection (pytest-django refuses it)."""
    if not config.getoption("--database-tests-only"):
        return
    kept, left_out = [], []
    for item in items:
        reaches_database = DATABASE_FIXTURES & set(item.fixturenames) or item.get_closest_marker("django_db")
        (kept if reaches_database else left_out).append(item)
    config.hook.pytest_deselected(items=left_out)
    items[:] = kept


@pytest.fixture(scope="session", autouse=True)
def collected_static():
    """Pages name static files by their content hash (core.web.staticfiles): collect them
    whenever static/ changed since the last collection."""
    manifest = Path(settings.STATIC_ROOT) / "staticfiles.json"
    newest = max(path.stat().st_mtime for path in (Path(settings.BASE_DIR) / "static").rglob("*") if path.is_file())
    if not manifest.exists() or manifest.stat().st_mtime < newest:
        call_command("collectstatic", "--noinput", verbosity=0)


@pytest.fixture(scope="session")
def wheel_venv(tmp_path_factory):
    """The wheel the Agents page serves (stats.agent_wheel, built from this source), installed as a
    host installs it (`pip install` of the file, no extra) into a bare virtualenv: the agent's and
    the probe's install tests install it alike and run it without changing it, so once a run."""
    venv = tmp_path_factory.mktemp("wheel") / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    subprocess.run([*pip, str(agent_wheel.wheel())], check=True, capture_output=True)
    return venv


@pytest.fixture
def alice(transactional_db):
    """An operator: reads, chats and acknowledges."""
    return with_role(get_user_model().objects.create_user("alice", password="correct horse battery"), roles.OPERATOR)


@pytest.fixture
def bob(transactional_db):
    return with_role(get_user_model().objects.create_user("bob", password="another staple"), roles.OPERATOR)


def with_role(user, role: str):
    user.groups.add(Group.objects.get(name=role))
    return user


def session_cookie(user) -> str:
    client = Client()
    client.force_login(user)
    return client.cookies[settings.SESSION_COOKIE_NAME].value


class Communicator(WebsocketCommunicator):
    """channels' test client, waiting for the handshake as long as the suite waits for any event:
    its default of one second is too short on a busy machine (a consumer's connect reads the database)."""

    async def connect(self, timeout: float = EVENT_TIMEOUT_S):
        return await super().connect(timeout)


async def socket(
    path: str, user=None, origin: bytes = ORIGIN, cookie: str | None = None, app=None
) -> WebsocketCommunicator:
    """A client of the full ASGI stack (origin check, session auth, routing), or of `app`;
    `user` gets a new session unless the `cookie` of an existing one is given."""
    headers = [(b"host", HOST), (b"origin", origin)]
    if user is not None:
        cookie = cookie or await database_sync_to_async(session_cookie)(user)
        headers.append((b"cookie", f"{settings.SESSION_COOKIE_NAME}={cookie}".encode()))
    return Communicator(app or application, path, headers=headers)


async def stats_socket(user, welcomed: bool = False) -> WebsocketCommunicator:
    """A dashboard's socket, accepted. `welcomed`: also joined to the stats group (it is
    accepted before it joins, and a frame sent in between reaches it through the snapshot
    on connect instead); only for a test that expects nothing on connect."""
    communicator = await socket("/ws/stats/", user)
    accepted, _ = await communicator.connect()
    assert accepted
    if welcomed:
        await communicator.send_json_to({"type": "ping"})  # answered once the connect is done
        assert await communicator.receive_json_from(timeout=EVENT_TIMEOUT_S) == {"type": "pong"}
    return communicator


@pytest.fixture(autouse=True)
def fresh_limits():
    """Each test starts with none of another's requests counted: API throttles in the cache,
    rate limits and open sockets in Redis (kept for a while, and user ids repeat between
    tests); nor with another test's status page documents (page ids repeat too)."""
    cache.clear()
    redis = sync_redis()
    # ... nor with a word on the check dispatcher or the database that another test's ingest left.
    for pattern in ("rate:*", "sockets:*", "status:*", "stats:parts", "heartbeat:*"):
        keys = list(redis.scan_iter(match=f"{settings.REDIS_PREFIX}:{pattern}", count=1000))
        if keys:
            redis.delete(*keys)


@pytest.fixture
def no_latest_frames():
    """Start without agents, streams or frames that other tests left in Redis."""
    forget_agents()
    yield
    forget_agents()


def forget_agents() -> None:
    redis = sync_redis()
    keys = list(redis.scan_iter(match=f"{settings.REDIS_PREFIX}:agent:*", count=1000))
    redis.delete(latest_key(), streams.registry_key(), streams.offline_key(), *keys)


@pytest.fixture
async def browser():
    """Debian's Chromium, headless (browser tests)."""
    async with async_playwright() as playwright:
        chromium = await launch(playwright)
        yield chromium
        await chromium.close()
