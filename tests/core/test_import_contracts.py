"""The import-linter contracts in pyproject.toml hold, and break when a forbidden import is added.

Each case copies the apps into a temporary folder, adds one import to one module and
runs `lint-imports` there, so the working tree is never touched.
"""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = [
    "NetWorkMonitor",
    "dashboard",
    "accounts",
    "api",
    "chat",
    "alerts",
    "status",
    "events",
    "flows",
    "discovery",
    "probes",
    "oncall",
    "monitor",
    "stats",
    "core",
    "netmon_probe",
    "netmon_agent",
]
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"


def lint(tmp_path: Path, module: str | None = None, line: str = "") -> subprocess.CompletedProcess:
    for package in PACKAGES:
        shutil.copytree(ROOT / package, tmp_path / package, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    if module:
        path = tmp_path / (module.replace(".", "/") + ".py")
        path.write_text(f"{line}\n{path.read_text()}")
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"],
        cwd=tmp_path,
        env={"PYTHONPATH": str(tmp_path), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_project_keeps_every_contract(tmp_path):
    result = lint(tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


@pytest.mark.parametrize(
    ("module", "line", "contract"),
    [
        # Data flows one way: the ingest may not reach up into alerts...
        ("stats.intake", "import alerts.evaluator", "Apps are layered"),
        # ...the checks may not reach the pages that show them...
        ("monitor.runner", "from dashboard import frames", "Apps are layered"),
        # ...the events receiver tells alerts through a signal, never by importing it...
        ("events.writer", "import alerts.event_evaluator", "Apps are layered"),
        # ...and the two lower apps know nothing of each other.
        ("monitor.results", "from stats.history import ingest", "Apps are layered"),
        ("core.redis_io.publisher", "import stats.latest", "Apps are layered"),
        # The agent runs with nothing of the server installed.
        ("netmon_agent.runtime", "import django.conf", "The agent imports nothing of the server"),
        ("netmon_agent.sampler", "from stats import streams", "The agent imports nothing of the server"),
        # The probe too, and its check runners, which the centre's checks workers share.
        ("netmon_probe.checks.tcp", "import django.conf", "The probe imports nothing of the server"),
        ("netmon_probe.runtime", "from probes import voting", "The probe imports nothing of the server"),
        # The pure arithmetic stays free of the framework.
        ("netmon_agent.rates", "import django.db", "Pure arithmetic"),
        ("oncall.rotation", "import django.utils.timezone", "Pure arithmetic"),
        # On-call knows nothing of alerts: alerts routes to teams and runs escalations.
        ("oncall.schedules", "import alerts.models", "Apps are layered"),
        ("alerts.flow_rules", "import django.db", "Pure arithmetic"),
        # The docs are built from the protocol catalogue without settings.
        ("core.contracts.protocol.spec", "import django.conf", "The WebSocket protocol catalogue imports no framework"),
        # The flow decoders take bytes and give arrays: no framework, no database.
        ("flows.decoding.sflow", "import django.db", "The flow decoders know nothing of Django"),
        # No circle inside an app: scheduling is imported by tasks, so it may not import them.
        ("monitor.scheduling", "import monitor.tasks", "No import circles"),
    ],
)
def test_a_forbidden_import_breaks_a_contract(tmp_path, module, line, contract):
    result = lint(tmp_path, module, line)
    assert result.returncode != 0
    broken = [text for text in result.stdout.split("\n\n") if "BROKEN" in text]
    assert any(contract in text for text in broken), result.stdout
