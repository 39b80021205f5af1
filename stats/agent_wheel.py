"""The agent's wheel, built on this server from its own source and served by the Agents page.

Built on first request (about ten seconds) into WHEEL_DIR and kept there; a change to
the agent's or the probe's source or to pyproject.toml builds it again. Only one build runs at a time
(a file lock), whatever the number of web processes.
"""

import fcntl
import hashlib
import shutil
import subprocess
import sys
from pathlib import Path

from django.conf import settings

BUILD_TIMEOUT_S = 300


class WheelUnavailable(Exception):
    """The wheel could not be built; the message says why."""


PACKAGES = ("netmon_agent", "netmon_probe")  # what the wheel holds (pyproject.toml's packages)


def source_files() -> list[Path]:
    root = Path(settings.BASE_DIR)
    return [root / "pyproject.toml", *sorted(path for package in PACKAGES for path in (root / package).rglob("*.py"))]


def source_digest() -> str:
    digest = hashlib.sha256()
    for path in source_files():
        digest.update(str(path.relative_to(settings.BASE_DIR)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def wheel_dir() -> Path:
    return Path(settings.BASE_DIR) / ".run" / "agent-wheel"


def wheel() -> Path:
    """The built wheel of the current source, building it when needed."""
    target = wheel_dir() / source_digest()
    target.mkdir(parents=True, exist_ok=True)
    with open(wheel_dir() / "build.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (built := sorted(target.glob("networkmonitor-*.whl"))):
            _build(target)
            built = sorted(target.glob("networkmonitor-*.whl"))
        for old in wheel_dir().iterdir():  # earlier sources' wheels
            if old.is_dir() and old != target:
                shutil.rmtree(old, ignore_errors=True)
    if not built:
        raise WheelUnavailable("pip built no wheel")
    return built[0]


def _build(target: Path) -> None:
    command = [sys.executable, "-m", "pip", "wheel", "--quiet", "--disable-pip-version-check", "--no-deps",
               "--wheel-dir", str(target), str(settings.BASE_DIR)]  # fmt: skip
    try:
        subprocess.run(command, check=True, capture_output=True, text=True, timeout=BUILD_TIMEOUT_S)
    except subprocess.CalledProcessError as error:
        raise WheelUnavailable(f"building the agent's wheel failed: {error.stderr[-500:]}") from None
    except subprocess.TimeoutExpired:
        raise WheelUnavailable(f"building the agent's wheel took over {BUILD_TIMEOUT_S} s") from None
