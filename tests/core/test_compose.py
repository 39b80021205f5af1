"""docker compose starts each part as the Procfile (`make run`) does, and its Redis keeps what it holds."""

import shlex
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent.parent


def procfile() -> dict[str, list[str]]:
    lines = (ROOT / "Procfile").read_text().splitlines()
    return {name: shlex.split(command) for name, command in (line.split(":", 1) for line in lines if line.strip())}


def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]


@pytest.mark.parametrize("worker", ["checks", "worker", "housekeeping"])
def test_compose_runs_each_worker_with_the_procfiles_queues_and_options(worker):
    # Both leave ${REDIS_PREFIX:-netmon} to be filled in from the same environment.
    assert shlex.split(compose()[worker]["command"]) == procfile()[worker]


def test_composes_redis_logs_every_write_to_a_volume():
    redis = compose()["redis"]
    command = redis["command"]
    assert command[command.index("--appendonly") + 1] == "yes"
    assert command[command.index("--appendfsync") + 1] == "everysec"
    assert any(volume.endswith(":/data") for volume in redis["volumes"])  # the image's working directory
