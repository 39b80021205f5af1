"""Probe credentials on a Redis of the test's own: exactly what a probe does, and nothing else."""

import io
import re

import pytest
import redis
from django.conf import settings
from django.core.management import CommandError, call_command

from core.redis_io.redis_clients import sync_redis
from netmon_agent import envfile
from netmon_probe import cli, keys, sealing
from probes import publishing
from probes.models import Probe
from tests.servers import private_redis
from tests.stats.test_credentials import FORBIDDEN as AGENT_FORBIDDEN


@pytest.fixture
def server(settings):
    with private_redis() as server:
        settings.REDIS_URL = settings.AGENT_REDIS_URL = server.url
        sync_redis.cache_clear()
        yield server
    sync_redis.cache_clear()


def add(name: str, *options: str) -> str:
    out = io.StringIO()
    call_command("probes", "add", name, "--site", "branch", *options, stdout=out)
    return out.getvalue()


def environment(printed: str) -> dict[str, str]:
    return dict(re.findall(r"^(REDIS_URL|PROBE_NAME|REDIS_PREFIX)=(\S+)$", printed, re.MULTILINE))


def as_probe(printed: str) -> redis.Redis:
    return redis.Redis.from_url(environment(printed)["REDIS_URL"], socket_timeout=2)


def key(kind: str, name: str) -> str:
    return getattr(keys, f"{kind}_key")(settings.REDIS_PREFIX, name)


def test_probes_add_prints_an_environment_file_a_unit_and_a_compose_service(db, server):
    printed = add("branch-1")
    env = environment(printed)
    assert env["PROBE_NAME"] == "branch-1"
    password = redis.connection.parse_url(env["REDIS_URL"])["password"]
    assert [line for line in printed.splitlines() if password in line] == [f"REDIS_URL={env['REDIS_URL']}"]
    assert "EnvironmentFile=/etc/netmon-probe.env" in printed
    assert "netmon-probe" in printed
    assert "services:" in printed
    assert "DATABASE_URL" not in printed
    assert "SECRET_KEY" not in printed
    assert as_probe(printed).ping()


def test_a_probe_appends_to_its_stream_renews_its_lease_and_reads_its_sealed_assignments(db, server):
    printed = add("branch-1")
    probe = as_probe(printed)
    assert probe.xadd(key("results", "branch-1"), {keys.ENTRY_FIELD: "{}"})
    assert probe.xadd(key("datagrams", "branch-1"), {keys.ENTRY_FIELD: "{}"})
    assert probe.set(key("lease", "branch-1"), "me", px=5000)
    assert probe.get(key("lease", "branch-1")) == b"me"
    publishing.Publisher().publish(sync_redis())
    sealed = probe.get(key("assignments", "branch-1"))
    # Opened with nothing but what its URL holds, as the probe does.
    opened = sealing.unseal(sealing.key_from_url(environment(printed)["REDIS_URL"]), "branch-1", sealed)
    assert opened == {"deny": [], "checks": []}


def test_its_url_alone_gives_the_probe_its_key_and_prefix_and_redis_keeps_neither(db, server):
    env = environment(add("branch-1"))
    assert set(env) == {"REDIS_URL", "PROBE_NAME"}
    assert cli.key_prefix(env, "branch-1") == settings.REDIS_PREFIX
    key = sealing.key_from_url(env["REDIS_URL"])
    assert Probe.objects.get(name="branch-1").key == key
    password = redis.connection.parse_url(env["REDIS_URL"])["password"]
    acl = str(sync_redis().acl_getuser(keys.redis_user(settings.REDIS_PREFIX, "branch-1")))
    assert password not in acl
    assert key not in acl


PROBE_FORBIDDEN = {
    "another probe's assignments": lambda r: r.get(key("assignments", "branch-2")),
    "another probe's results": lambda r: r.xadd(key("results", "branch-2"), {keys.ENTRY_FIELD: "{}"}),
    "another probe's lease": lambda r: r.set(key("lease", "branch-2"), "me"),
    "writing its own assignments": lambda r: r.set(key("assignments", "branch-1"), "x"),
    "reading its own results back": lambda r: r.xrange(key("results", "branch-1")),
    "another probe's datagrams": lambda r: r.xadd(key("datagrams", "branch-2"), {keys.ENTRY_FIELD: "{}"}),
    "reading its own datagrams back": lambda r: r.xrange(key("datagrams", "branch-1")),
    "trimming its own datagrams": lambda r: r.xtrim(key("datagrams", "branch-1"), maxlen=0),
    "a lease on its datagram stream": lambda r: r.set(key("datagrams", "branch-1"), "x"),
    "DEL of its own results": lambda r: r.delete(key("results", "branch-1")),
    "an agent's stream": lambda r: r.xadd(f"{settings.REDIS_PREFIX}:agent:edge-1:frames", {"frame": "{}"}),
}
FORBIDDEN = {**AGENT_FORBIDDEN, **PROBE_FORBIDDEN}


@pytest.mark.parametrize("action", FORBIDDEN, ids=list(FORBIDDEN))
def test_every_other_action_is_refused_by_redis(db, server, action):
    add("branch-2")
    probe = as_probe(add("branch-1"))
    with pytest.raises(redis.exceptions.NoPermissionError):
        FORBIDDEN[action](probe)


def test_a_revoked_probe_is_refused_and_its_keys_are_gone(db, server):
    printed = add("branch-1")
    publishing.Publisher().publish(sync_redis())
    call_command("probes", "revoke", "branch-1", stdout=io.StringIO())
    with pytest.raises(redis.AuthenticationError):
        as_probe(printed).ping()
    assert not sync_redis().exists(key("assignments", "branch-1"))
    assert not Probe.objects.filter(name="branch-1").exists()


def test_a_name_is_added_once_and_the_environment_file_is_the_owners_alone(db, server, tmp_path):
    add("branch-1")
    with pytest.raises(CommandError, match="already exists"):
        add("branch-1")
    with pytest.raises(CommandError, match="invalid probe name"):
        add("no:colons")
    call_command("probes", "add", "branch-3", "--env-file", str(tmp_path / "p.env"), stdout=io.StringIO())
    assert (tmp_path / "p.env").stat().st_mode & 0o777 == 0o600
    assert set(envfile.read(tmp_path / "p.env")) == {"REDIS_URL", "PROBE_NAME"}


def test_probes_list_shows_each_probe_its_site_and_clock(db, server):
    add("branch-1")
    out = io.StringIO()
    call_command("probes", "list", stdout=out)
    assert re.search(
        r"branch-1\tsite branch\tOFFLINE\tcredentials ok\tlast result: never\tclock unknown", out.getvalue()
    )
