"""The Agents page: adding shows a copy-ready install with the password in the environment
lines only; the wheel is served to signed-in people and needs no extra; revoking; who may."""

import zipfile

import pytest
from django.test import Client

from accounts import roles
from stats.models import Agent
from tests.roles import user_with_role
from tests.servers import private_redis

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def own_redis(settings):
    """Adding an agent makes a Redis user: on a Redis of this test's own, not the shared one."""
    from core.redis_io import redis_clients

    with private_redis() as server:
        settings.REDIS_URL = server.url
        redis_clients.sync_redis.cache_clear()
        yield server
    redis_clients.sync_redis.cache_clear()


def signed_in(role: str) -> Client:
    client = Client()
    client.force_login(user_with_role(role, role))
    return client


def test_adding_an_agent_shows_the_install_with_the_password_only_in_its_environment_file(own_redis):
    client = signed_in(roles.ADMIN)
    response = client.post("/agents/", {"name": "web-7"})
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    page = response.content.decode()
    steps = page.split('id="agent-install" translate="no">')[1].split("</pre>")[0]
    environment = page.split('id="agent-environment" class="secret" translate="no">')[1].split("</pre>")[0]
    assert "AGENT_NAME=web-7" in environment
    password = environment.split("REDIS_URL=")[1].split("@")[0].split(":")[-1]
    assert len(password) > 20
    assert password not in steps
    assert "pip install ./networkmonitor-" in steps
    assert "[agent]" not in page
    assert "EnvironmentFile=/etc/netmon-agent.env" in page
    assert Agent.objects.filter(name="web-7").exists()
    again = client.post("/agents/", {"name": "web-7"})
    assert again.status_code == 400
    assert "exists" in again.content.decode()
    assert client.post("/agents/web-7/revoke/").status_code == 302
    assert not Agent.objects.filter(name="web-7").exists()


def test_the_wheel_is_served_behind_a_login_and_brings_what_the_agent_needs(tmp_path):
    assert Client().get("/agents/wheel/").status_code == 302  # to the login page
    response = signed_in(roles.VIEWER).get("/agents/wheel/")
    assert response.status_code == 200
    wheel = tmp_path / "agent.whl"
    wheel.write_bytes(b"".join(response.streaming_content))
    with zipfile.ZipFile(wheel) as archive:
        [metadata] = [name for name in archive.namelist() if name.endswith("METADATA")]
        requires = [line for line in archive.read(metadata).decode().splitlines() if line.startswith("Requires-Dist")]
        assert "netmon_agent/cli.py" in archive.namelist()
    assert any(line.startswith("Requires-Dist: redis") and "extra" not in line for line in requires)
    assert any(line.startswith("Requires-Dist: psutil") and "extra" not in line for line in requires)


@pytest.mark.parametrize("role", [roles.VIEWER, roles.OPERATOR])
def test_others_see_the_list_but_cannot_add_or_revoke(role):
    Agent.objects.create(name="db-1")
    client = signed_in(role)
    page = client.get("/agents/")
    assert page.status_code == 200
    assert "db-1" in page.content.decode()
    assert "Add agent" not in page.content.decode()
    assert client.post("/agents/", {"name": "x-1"}).status_code == 403
    assert client.post("/agents/db-1/revoke/").status_code == 403
