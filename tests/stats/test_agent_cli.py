"""The agent's options: Sentinels, its environment file, and the settings `manage.py agents add` gives it."""

import stat

import pytest
import redis.sentinel

from netmon_agent import envfile
from netmon_agent.cli import environment_with_file, main, parser, redis_client
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


def test_agents_add_gives_the_sentinel_settings_when_the_server_has_sentinels(settings):
    made = Credentials("web-1", "redis://netmon-agent-web-1:pw@unused:6379/0")
    assert "REDIS_SENTINELS" not in made.environment()
    settings.REDIS_SENTINELS = [("127.0.0.1", 26379), ("::1", 26380)]
    settings.REDIS_SENTINEL_MASTER = "mon"
    assert made.environment_file().endswith("REDIS_SENTINELS=127.0.0.1:26379,[::1]:26380\nREDIS_SENTINEL_MASTER=mon\n")
    settings.REDIS_SENTINEL_USER = "finder"
    settings.REDIS_SENTINEL_OPTIONS = {"username": "finder", "password": "discovery-secret"}
    assert made.environment_file().endswith("REDIS_SENTINEL_MASTER=mon\nREDIS_SENTINEL_USER=finder\n")
    assert "discovery-secret" not in made.environment_file()


def test_the_agent_takes_its_settings_from_an_environment_file_ahead_of_its_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:6379/0")  # the server's own, as `make run` passes it on
    made = Credentials("web-1", "redis://netmon-agent-web-1:pw@127.0.0.1:6390/0")
    envfile.write(tmp_path / "agent.env", made.environment() | {"REDIS_SENTINELS": "127.0.0.1:26379"})
    assert stat.S_IMODE((tmp_path / "agent.env").stat().st_mode) == 0o600
    argv = ["--env-file", str(tmp_path / "agent.env")]
    args = parser(environment_with_file(argv)).parse_args(argv)
    assert (args.redis_url, args.name) == (made.redis_url, "web-1")


def test_an_unreadable_environment_file_stops_the_agent_with_the_reason(tmp_path):
    (tmp_path / "agent.env").write_text("REDIS_URL\n")
    with pytest.raises(SystemExit, match="line 1: not KEY=VALUE"):
        main(["--env-file", str(tmp_path / "agent.env")])


def test_a_password_on_the_command_line_is_warned_about(caplog, monkeypatch):
    monkeypatch.delenv("REDIS_URL", raising=False)
    main(["--redis-url", "redis://netmon-agent-a:s3cret@127.0.0.1:1/0", "--interval", "0.1"])  # refused: too short
    assert "holds a password that every local user can read" in caplog.text
    assert "s3cret" not in caplog.text
