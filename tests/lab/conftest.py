"""The lab network (scripts/lab.py), built once for the session and torn down after it.

Tests that use `lab` are skipped, with the reason, where it cannot be built (no root, no
network namespaces, FRR or lldpd missing). A lab that was already up (`make lab`) is
used as it is and left up.
"""

import json
import subprocess
import sys
from pathlib import Path

import pytest

LAB = Path(__file__).resolve().parents[2] / "scripts" / "lab.py"


def lab_command(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(LAB), *args], capture_output=True, text=True, timeout=180)


@pytest.fixture(scope="session")
def lab() -> dict:
    """The lab as scripts/lab_plan.py describes it, up and routing."""
    reason = lab_command("check").stdout.strip()
    if reason != "the lab can be built here":
        pytest.skip(reason)
    was_up = lab_command("status").stdout.strip() == "up"
    built = lab_command("up")
    if built.returncode:
        lab_command("down")
        pytest.fail(f"the lab did not come up: {built.stderr[-2000:]}")
    yield json.loads(built.stdout)
    if not was_up:
        lab_command("down")


def vtysh(lab: dict, router: str, *commands: str) -> str:
    """Run vtysh commands on a lab router (FRR's path space is the router's namespace)."""
    namespace = next(n["namespace"] for n in lab["nodes"] if n["name"] == router)
    arguments = [part for command in commands for part in ("-c", command)]
    return subprocess.run(["vtysh", "-N", namespace, *arguments], capture_output=True, text=True, check=True).stdout


def in_namespace(lab: dict, node: str, *command: str) -> subprocess.CompletedProcess:
    namespace = next(n["namespace"] for n in lab["nodes"] if n["name"] == node)
    return subprocess.run(["ip", "netns", "exec", namespace, *command], capture_output=True, text=True, check=True)


@pytest.fixture(autouse=True)
def fresh_dependencies():
    """Each test derives the dependencies of its own hosts, not those a previous test left for 10 s."""
    from discovery import decisions

    decisions.forget()
