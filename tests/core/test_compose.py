"""The Procfile (`make run`) and docker compose start the processes NetWorkMonitor/processes.py
defines, each by its name there, and compose's Redis keeps what it holds."""

import os
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from NetWorkMonitor import processes

ROOT = Path(__file__).resolve().parent.parent.parent
LAUNCHER = ["python", "-m", "NetWorkMonitor.processes"]
# Where each runner keeps what is not the table's: the local agent's credentials file.
PROCFILE_EXTRAS = {"agent": ["--env-file", ".run/agent.env"]}
# Compose services that are not processes of the product: its engines and the one-shot migration.
NOT_PROCESSES = {"redis", "postgres", "migrate"}


def procfile() -> dict[str, list[str]]:
    lines = [line for line in (ROOT / "Procfile").read_text().splitlines() if line.strip()]
    entries = [line.split(":", 1) for line in lines]
    assert len({name for name, _ in entries}) == len(entries), "a process named twice"
    return {name: shlex.split(command) for name, command in entries}


def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]


def test_the_procfile_starts_every_process_by_its_name_and_nothing_else():
    expected = {name: [*LAUNCHER, name, *PROCFILE_EXTRAS.get(name, [])] for name in processes.NAMES}
    assert procfile() == expected


def test_compose_starts_every_process_by_its_name_and_nothing_else():
    services = compose()
    launched = {name: service["command"] for name, service in services.items() if name not in NOT_PROCESSES}
    assert launched == {name: [*LAUNCHER, name] for name in processes.NAMES}
    assert set(services) >= NOT_PROCESSES


def test_composes_web_migrates_first_and_listens_on_its_published_port():
    services = compose()
    assert services["web"]["depends_on"]["migrate"] == {"condition": "service_completed_successfully"}
    assert services["web"]["environment"]["PORT"] == "8000"
    assert services["web"]["ports"] == ["8000:8000"]


@pytest.mark.parametrize("name", ["checks", "worker", "notifications", "housekeeping"])
def test_each_worker_consumes_its_queue_under_the_redis_prefix(name, monkeypatch):
    monkeypatch.setenv("REDIS_PREFIX", "netmon-elsewhere")
    argv = processes.command(name)
    assert argv[argv.index("-Q") + 1] == f"netmon-elsewhere.{processes.WORKERS[name].queue}"
    assert "--without-heartbeat" in argv


def test_options_given_by_name_replace_the_tables():
    argv = processes.command("checks", prefix="p", node="c1@%h", concurrency=1)
    assert argv[argv.index("-c") + 1] == "1"
    assert argv[argv.index("-Q") + 1] == "p.checks"
    assert argv[argv.index("-n") + 1] == "c1@%h"
    # The general worker as one process: the table's two are the prefork pool's, not solo's.
    assert "-c" not in processes.command("worker", pool="solo")
    with pytest.raises(KeyError, match="no process named 'nope'"):
        processes.command("nope")


def test_the_launcher_becomes_the_tables_process_with_the_arguments_given():
    # --help: the agent answers and exits without connecting anywhere.
    launched = subprocess.run(
        [sys.executable, "-m", "NetWorkMonitor.processes", "agent", "--help"],
        cwd=ROOT, env=os.environ, capture_output=True, text=True, timeout=60, check=True,
    )  # fmt: skip
    assert "--env-file" in launched.stdout
    assert launched.stdout.startswith("usage: netmon-agent")


def test_the_launcher_refuses_an_unknown_name_and_lists_the_known_ones():
    launched = subprocess.run(
        [sys.executable, "-m", "NetWorkMonitor.processes", "nope"], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert launched.returncode != 0
    assert "web,ingest,agent" in launched.stderr


def test_composes_redis_logs_every_write_to_a_volume():
    redis = compose()["redis"]
    command = redis["command"]
    assert command[command.index("--appendonly") + 1] == "yes"
    assert command[command.index("--appendfsync") + 1] == "everysec"
    assert any(volume.endswith(":/data") for volume in redis["volumes"])  # the image's working directory
