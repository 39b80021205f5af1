"""The agent's command line: Sentinel options, and the command line `manage.py agents add` prints."""

import pytest
import redis.sentinel

from netmon_agent.cli import parser, redis_client
from stats.credentials import Credentials


def test_sentinels_are_parsed_and_the_client_asks_them_for_the_master():
    url = "redis://netmon-agent-a:s%40cret@unused:1/2"
    sentinels = ["--sentinel", "127.0.0.1:26379", "--sentinel", "[::1]:26380", "--sentinel-master", "mon"]
    args = parser().parse_args(["--redis-url", url, *sentinels, "--sentinel-user", "finder"])
    assert args.sentinel == [("127.0.0.1", 26379), ("::1", 26380)]
    pool = redis_client(args).connection_pool
    assert isinstance(pool, redis.sentinel.SentinelConnectionPool)
    assert pool.service_name == "mon"
    asked = [sentinel.connection_pool.connection_kwargs for sentinel in pool.sentinel_manager.sentinels]
    assert [(a["host"], a["port"]) for a in asked] == [("127.0.0.1", 26379), ("::1", 26380)]
    assert {a["username"] for a in asked} == {"finder"}
    # The URL gives only the agent's user, password and database.
    assert {k: pool.connection_kwargs[k] for k in ("username", "password", "db")} == {
        "username": "netmon-agent-a",
        "password": "s@cret",
        "db": 2,
    }


def test_a_sentinel_that_is_not_host_and_port_is_refused(capsys):
    with pytest.raises(SystemExit):
        parser().parse_args(["--sentinel", "26379"])
    assert "is not HOST:PORT" in capsys.readouterr().err


def test_without_sentinels_the_url_is_the_server():
    args = parser().parse_args(["--redis-url", "redis://netmon-agent-a:pw@127.0.0.1:6390/0"])
    assert redis_client(args).connection_pool.connection_kwargs["port"] == 6390


def test_agents_add_prints_the_sentinel_options_when_the_server_has_sentinels(settings):
    made = Credentials("web-1", "redis://netmon-agent-web-1:pw@unused:6379/0")
    assert "--sentinel" not in made.command_line()
    settings.REDIS_SENTINELS = [("127.0.0.1", 26379), ("::1", 26380)]
    settings.REDIS_SENTINEL_MASTER = "mon"
    assert made.command_line().endswith(" --sentinel 127.0.0.1:26379 --sentinel [::1]:26380 --sentinel-master mon")
    settings.REDIS_SENTINEL_USER = "finder"
    settings.REDIS_SENTINEL_OPTIONS = {"username": "finder", "password": "discovery-secret"}
    assert made.command_line().endswith(" --sentinel-master mon --sentinel-user finder")
    assert "discovery-secret" not in made.command_line()
