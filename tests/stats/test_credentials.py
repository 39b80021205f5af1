"""Agent credentials on a Redis of the test's own: exactly what an agent does, and nothing else."""

import io
import os
import re
import subprocess
import sys
import time

import psutil
import pytest
import redis
from django.conf import settings
from django.core.management import CommandError, call_command

from core.contracts.groups import STATS_GROUP, alerts_user_group, chat_room_group, echo_user_group
from core.redis_io.redis_clients import sync_redis
from netmon_agent import envfile, keys
from stats import credentials, streams
from stats.models import Agent
from tests.servers import private_redis, sentinels, wait_for
from tests.waits import EVENT_TIMEOUT_S


@pytest.fixture
def server(settings):
    with private_redis() as server:
        settings.REDIS_URL = settings.AGENT_REDIS_URL = server.url
        sync_redis.cache_clear()
        yield server
    sync_redis.cache_clear()


def add(name: str, *options: str) -> str:
    out = io.StringIO()
    call_command("agents", "add", name, *options, stdout=out)
    return re.search(r"REDIS_URL=(\S+)", out.getvalue()).group(1)


def test_agents_add_under_sentinel_makes_the_user_on_the_master_and_never_prints_the_sentinel_password(db, settings):
    with sentinels() as redis_set:
        env = redis_set.env()
        settings.REDIS_SENTINELS = [("127.0.0.1", port) for port in redis_set.ports]
        settings.REDIS_SENTINEL_MASTER = redis_set.NAME
        settings.REDIS_SENTINEL_USER = env["REDIS_SENTINEL_USER"]
        settings.REDIS_SENTINEL_OPTIONS = {
            "username": env["REDIS_SENTINEL_USER"],
            "password": env["REDIS_SENTINEL_PASSWORD"],
        }
        settings.REDIS_CREDENTIALS = {"username": None, "password": None, "db": 0}
        sync_redis.cache_clear()
        try:
            out = io.StringIO()
            call_command("agents", "add", "web-1", stdout=out)
        finally:
            sync_redis.cache_clear()
        printed = out.getvalue()
        assert f"REDIS_SENTINEL_MASTER={redis_set.NAME}\nREDIS_SENTINEL_USER={env['REDIS_SENTINEL_USER']}\n" in printed
        assert "REDIS_SENTINEL_PASSWORD" in printed
        assert env["REDIS_SENTINEL_PASSWORD"] not in printed
        master = redis.Redis(port=redis_set.master.port)
        assert master.acl_getuser(keys.redis_user(settings.REDIS_PREFIX, "web-1"))["enabled"]


def test_agents_add_prints_an_environment_file_and_a_unit_never_a_password_on_a_command_line(db, server):
    out = io.StringIO()
    call_command("agents", "add", "edge-1", stdout=out)
    printed = out.getvalue()
    url = re.search(r"^REDIS_URL=(\S+)$", printed, re.MULTILINE).group(1)
    password = redis.connection.parse_url(url)["password"]
    assert [line for line in printed.splitlines() if password in line] == [f"REDIS_URL={url}"]
    assert "AGENT_NAME=edge-1\n" in printed
    assert "EnvironmentFile=/etc/netmon-agent.env" in printed
    assert as_agent(url).ping()


def test_the_local_agent_runs_as_the_procfile_says_with_no_password_on_its_command_line(db, server, tmp_path):
    (tmp_path / ".run").mkdir()
    call_command("agents", "add", "local-1", "--env-file", str(tmp_path / ".run" / "agent.env"), stdout=io.StringIO())
    password = redis.connection.parse_url(envfile.read(tmp_path / ".run" / "agent.env")["REDIS_URL"])["password"]
    environment = {**os.environ, "PYTHONPATH": str(settings.BASE_DIR), "REDIS_PREFIX": settings.REDIS_PREFIX}
    honcho = [sys.executable, "-m", "honcho", "start", "-f", str(settings.BASE_DIR / "Procfile"), "agent"]
    process = subprocess.Popen(honcho, cwd=tmp_path, env=environment, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        wait_for(lambda: sync_redis().xlen(streams.frames_key("local-1")) > 0, 30, "the local agent's first frame")
        command_lines = [p.cmdline() for p in psutil.Process(process.pid).children(recursive=True)]
    finally:
        process.terminate()
        output = process.communicate(timeout=30)[0].decode()
    assert any("netmon_agent" in line for line in command_lines), command_lines
    assert not any(password in part for line in command_lines for part in line)
    assert password not in output


def as_agent(url: str) -> redis.Redis:
    return redis.Redis.from_url(url, socket_timeout=2)


def group_channel(group: str) -> str:
    """The pub/sub channel the channel layer sends a group's messages on."""
    return f"{settings.REDIS_PREFIX}__group__{group}"


def test_an_agent_may_append_to_its_own_stream_and_renew_its_own_lease(db, server):
    agent = as_agent(add("edge-1"))
    assert agent.xadd(streams.frames_key("edge-1"), {keys.FRAME_FIELD: "{}"})
    assert agent.set(streams.lease_key("edge-1"), "me", px=5000)
    assert agent.get(streams.lease_key("edge-1")) == b"me"
    assert agent.ping()
    assert "edge-1" in credentials.registered()


def subscribe(client: redis.Redis, channel: str):
    listener = client.pubsub()
    listener.subscribe(channel)
    return listener.get_message(timeout=EVENT_TIMEOUT_S)  # the refusal arrives as the reply


FORBIDDEN = {
    "another agent's stream": lambda r: r.xadd(streams.frames_key("edge-2"), {keys.FRAME_FIELD: "{}"}),
    "another agent's lease": lambda r: r.set(streams.lease_key("edge-2"), "me"),
    "reading its own stream back": lambda r: r.xrange(streams.frames_key("edge-1")),
    "the agent registry": lambda r: r.sadd(streams.registry_key(), "edge-9"),
    "the latest frames": lambda r: r.hset(f"{settings.REDIS_PREFIX}:stats:latest", "edge-2", "{}"),
    "the dashboards' group": lambda r: r.publish(group_channel(STATS_GROUP), b"x"),
    "a user's alert group": lambda r: r.publish(group_channel(alerts_user_group(1)), b"x"),
    "a chat group": lambda r: r.publish(group_channel(chat_room_group(1)), b"x"),
    "an echo group": lambda r: r.publish(group_channel(echo_user_group(1)), b"x"),
    "listening to a group": lambda r: subscribe(r, group_channel(STATS_GROUP)),
    "a Celery task queue": lambda r: r.lpush(f"{settings.REDIS_PREFIX}.tasks", b"{}"),
    "Celery's bindings": lambda r: r.sadd(f"_kombu.binding.{settings.REDIS_PREFIX}.tasks", b"x"),
    "Celery's unacked": lambda r: r.hgetall("unacked"),
    "KEYS": lambda r: r.keys("*"),
    "SCAN": lambda r: r.scan(0),
    "CONFIG": lambda r: r.config_get("*"),
    "FLUSHALL": lambda r: r.flushall(),
    "FLUSHDB": lambda r: r.flushdb(),
    "SCRIPT": lambda r: r.script_load("return 1"),
    "EVAL": lambda r: r.eval("return 1", 0),
    "ACL": lambda r: r.acl_list(),
    "DEL of its own stream": lambda r: r.delete(streams.frames_key("edge-1")),
    "a key of its own beside its stream": lambda r: r.set(f"{settings.REDIS_PREFIX}:agent:edge-1:blob", b"x" * 1024),
    "a side stream": lambda r: r.xadd(f"{settings.REDIS_PREFIX}:agent:edge-1:side", {keys.FRAME_FIELD: "{}"}),
    "SET on its stream's key": lambda r: r.set(streams.frames_key("edge-1"), b"x"),
    "XADD to its lease": lambda r: r.xadd(streams.lease_key("edge-1"), {keys.FRAME_FIELD: "{}"}),
    "SELECT of another database": lambda r: r.execute_command("SELECT", 7),
}


@pytest.mark.parametrize("action", FORBIDDEN, ids=list(FORBIDDEN))
def test_every_other_action_is_refused_by_redis(db, server, action):
    add("edge-2")
    agent = as_agent(add("edge-1"))
    with pytest.raises(redis.exceptions.NoPermissionError):
        FORBIDDEN[action](agent)


def test_agents_are_kept_to_database_0_where_they_need_no_select(db, server, settings):
    settings.AGENT_REDIS_URL = server.url.removesuffix("/0") + "/7"
    with pytest.raises(CommandError, match="database 0"):
        add("edge-1")
    assert not credentials.has_user("edge-1")


def test_agents_list_shows_every_agent_with_its_credentials_and_last_report(db, server):
    add("edge-1")
    add("edge-2")
    sync_redis().acl_deluser(keys.redis_user(settings.REDIS_PREFIX, "edge-2"))  # lost, e.g. a Redis without persistence
    out = io.StringIO()
    call_command("agents", "list", stdout=out)
    lines = out.getvalue().splitlines()
    assert lines == [
        "edge-1\tcredentials ok\tlast report: never",
        "edge-2\tNO REDIS USER (run agents add --replace)\tlast report: never",
    ]


def test_agents_are_let_in_again_after_redis_restarted_empty(db, server):
    url = add("edge-1")
    server.kill()
    server.start()  # no persistence: every user and key is gone
    with pytest.raises(redis.AuthenticationError):
        as_agent(url).ping()
    assert credentials.restore() == ["edge-1"]
    assert as_agent(url).xadd(streams.frames_key("edge-1"), {keys.FRAME_FIELD: "{}"})
    assert credentials.registered() == ["edge-1"]
    assert credentials.restore() == []
    # Only the password's digest is kept, in Redis and in the database.
    assert url.split(":")[2].split("@")[0] not in str(
        sync_redis().acl_getuser(keys.redis_user(settings.REDIS_PREFIX, "edge-1"))
    )
    assert len(Agent.objects.get(name="edge-1").password_digest) == 64


def test_users_made_with_wider_rights_are_narrowed_when_the_ingest_starts(db, server):
    agent = as_agent(add("edge-1"))
    user = keys.redis_user(settings.REDIS_PREFIX, "edge-1")
    wide = [f"~{settings.REDIS_PREFIX}:agent:edge-1:*", "+xadd", "+set", "+get", "+ping", "+select"]
    sync_redis().execute_command("ACL", "SETUSER", user, *wide)  # what an older release granted
    assert credentials.restore() == []  # nothing was lost
    assert credentials.restore(everyone=True) == []
    with pytest.raises(redis.exceptions.NoPermissionError):
        agent.xadd(f"{settings.REDIS_PREFIX}:agent:edge-1:side", {keys.FRAME_FIELD: "{}"})
    assert agent.xadd(streams.frames_key("edge-1"), {keys.FRAME_FIELD: "{}"})  # the same password still works


def test_a_name_can_be_added_once_and_only_a_valid_one(db, server):
    add("edge-1")
    with pytest.raises(CommandError, match="already exists"):
        add("edge-1")
    with pytest.raises(CommandError, match="invalid agent name"):
        add("edge-*")  # a glob character would widen the key pattern
    with pytest.raises(CommandError, match="invalid agent name"):
        add("a:b")


def test_new_credentials_replace_the_old_ones(db, server):
    old = as_agent(add("edge-1"))
    assert old.ping()
    new = as_agent(add("edge-1", "--replace"))
    assert new.ping()
    with pytest.raises((redis.AuthenticationError, redis.ConnectionError)):
        old.ping()  # its connection was closed, and its password no longer opens one
    with pytest.raises(redis.AuthenticationError):
        as_agent(add_url_of(old)).ping()


def add_url_of(client: redis.Redis) -> str:
    kwargs = client.connection_pool.connection_kwargs
    return f"redis://{kwargs['username']}:{kwargs['password']}@127.0.0.1:{kwargs['port']}/0"


def run_agent(url: str, name: str, *options: str) -> subprocess.Popen:
    command = [sys.executable, "-m", "netmon_agent", "--name", name,
               "--prefix", settings.REDIS_PREFIX, "--interval", "0.2", "--tcp-states-every", "0", *options]  # fmt: skip
    environment = {**os.environ, "REDIS_URL": url}  # the password never on a command line
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=environment)


def stop(process: subprocess.Popen) -> str:
    if process.poll() is None:
        process.terminate()
    return process.communicate(timeout=EVENT_TIMEOUT_S)[0]


def connections_of(name: str) -> int:
    user = keys.redis_user(settings.REDIS_PREFIX, name)
    return sum(1 for client in sync_redis().client_list() if client.get("user") == user)


def test_a_revoked_agent_is_refused_within_a_second(db, server):
    url = add("edge-1")
    # No grace for refusals: a revoked agent stops at once (by default it retries for 30 s,
    # in case Redis restarted without its users).
    agent = run_agent(url, "edge-1", "--refused-grace", "0")
    try:
        key = streams.frames_key("edge-1")
        wait_for(lambda: sync_redis().xlen(key) > 0, EVENT_TIMEOUT_S, "the agent's first frame")
        assert connections_of("edge-1") == 1
        revoked_at = time.monotonic()
        call_command("agents", "revoke", "edge-1", stdout=io.StringIO())
        with pytest.raises(redis.AuthenticationError):
            as_agent(url).ping()
        assert connections_of("edge-1") == 0  # its connection was closed with the user
        agent.wait(5)
        refused_after = time.monotonic() - revoked_at
    finally:
        output = stop(agent)
    assert agent.returncode == 3, output
    assert "refused the credentials" in output
    assert refused_after < 1.0 + 0.2  # within a second, plus the agent's one interval to notice
    assert url.split("@")[0] not in output  # the password is never logged
    assert "edge-1" not in credentials.registered()


def test_a_second_agent_with_a_taken_name_is_refused_with_a_clear_message(db, server):
    url = add("edge-1")
    first = run_agent(url, "edge-1")
    try:
        wait_for(
            lambda: sync_redis().xlen(streams.frames_key("edge-1")) > 0, EVENT_TIMEOUT_S, "the first agent's frames"
        )
        second = run_agent(url, "edge-1")
        output = stop(second) if second.wait(15) is None else second.communicate()[0]
        assert first.poll() is None  # the first one runs on
    finally:
        stop(first)
    assert second.returncode == 2, output
    assert "agent name 'edge-1' is taken by another running agent" in output


def test_an_admin_adds_an_agent_sees_its_url_once_and_revokes_it(admin_client, server):
    response = admin_client.post("/admin/stats/agent/add/", {"name": "edge-7"})
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    url = re.search(r'id="agent-url">([^<]+)<', response.content.decode()).group(1)
    assert as_agent(url).xadd(streams.frames_key("edge-7"), {keys.FRAME_FIELD: "{}"})
    page = admin_client.get("/admin/stats/agent/").content.decode()
    assert "edge-7" in page
    assert url.split("@")[0] not in page

    refused = admin_client.post("/admin/stats/agent/add/", {"name": "edge-7"}).content.decode()
    assert "already exists" in refused or "An agent of this name exists" in refused
    agent = Agent.objects.get(name="edge-7")
    admin_client.post(
        "/admin/stats/agent/", {"action": "revoke_credentials", "_selected_action": [agent.pk]}, follow=True
    )
    with pytest.raises(redis.AuthenticationError):
        as_agent(url).ping()
    assert not Agent.objects.filter(name="edge-7").exists()
