import gzip
import json
import re

import brotli
import pytest

from core.redis_io.redis_clients import sync_redis
from monitor.models import Check, Host


def test_the_dashboard_needs_a_login(client, alice):  # an account exists: no first-run setup
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/"


def test_the_dashboard_renders_for_a_user(client, alice):
    client.force_login(alice)
    response = client.get("/")
    assert response.status_code == 200
    assert b'id="agents"' in response.content
    assert re.search(rb"/static/vendor/uplot/uPlot\.iife\.min\.[0-9a-f]{12}\.js", response.content)


def test_the_login_page_renders(client, alice):
    response = client.get("/accounts/login/")
    assert response.status_code == 200
    assert b'name="password"' in response.content


def test_static_files_are_hashed_compressed_and_cached_for_good(client, alice):
    client.force_login(alice)
    page = client.get("/").content.decode()
    path = re.search(r"/static/js/dashboard\.[0-9a-f]{12}\.js", page).group(0)
    response = client.get(path, headers={"Accept-Encoding": "gzip, br"})
    assert response.status_code == 200
    assert response["Content-Encoding"] == "br"
    assert "immutable" in response["Cache-Control"]
    module = brotli.decompress(b"".join(response.streaming_content)).decode()
    assert "/ws/stats/" in module
    # Its imports name the hashed modules too, so a new release never runs with a stale one.
    imports = re.findall(r'from "(\./[^"]+)"', module)
    assert imports
    assert all(re.fullmatch(r"\./[\w-]+\.[0-9a-f]{12}\.js", name) for name in imports)


def test_healthz_is_ok_when_database_and_redis_answer(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "redis": "ok"}


@pytest.fixture
def dead_redis(settings, unused_tcp_port):
    """REDIS_URL pointing at a loopback port where nothing listens."""
    settings.REDIS_URL = f"redis://127.0.0.1:{unused_tcp_port}/0"
    sync_redis.cache_clear()
    yield
    sync_redis.cache_clear()


def test_healthz_is_503_and_names_redis_when_it_does_not_answer(client, db, dead_redis):
    response = client.get("/healthz")
    assert response.status_code == 503
    body = json.loads(response.content)
    # Which part failed, and nothing of why: the exception names the address it tried.
    assert body == {"status": "error", "database": "ok", "redis": "error"}
    assert b"127.0.0.1" not in response.content


def test_pages_and_api_responses_are_compressed(client, alice):
    client.force_login(alice)
    for path in ("/", "/api/schema/?format=json"):  # (responses under 200 bytes are sent as they are)
        response = client.get(path, headers={"Accept-Encoding": "gzip"})
        assert response.status_code == 200
        assert response["Content-Encoding"] == "gzip", path
        assert gzip.decompress(response.content)


def test_the_host_page_charts_loss_and_shows_hops_only_for_the_kinds_that_have_them(client, alice):
    host = Host.objects.create(name="edge", address="127.0.0.1")
    ping, tcp, path = (Check.objects.create(host=host, kind=kind, port=22) for kind in ("ping", "tcp", "path"))
    client.force_login(alice)
    page = client.get(f"/hosts/{host.id}/").content.decode()
    config = json.loads(re.search(r'<script id="host-config" type="application/json">(.*?)</script>', page).group(1))
    assert {check["id"]: check["charts_loss"] for check in config["checks"]} == {
        ping.id: True,
        tcp.id: False,
        path.id: False,
    }
    assert re.findall(r'data-path-check="(\d+)"', page) == [str(path.id)]
