"""Helpers the benchmarks share. Import after django.setup()."""

import json
import os
import platform
import socket
import statistics
from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client


def percentile(values: list[float], p: int) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[p - 1] if len(values) > 1 else values[0]


def summary_ms(seconds: list[float]) -> dict | None:
    """p50/p99/max in milliseconds of durations in seconds; None when there are none."""
    if not seconds:
        return None
    ms = [s * 1000 for s in seconds]
    return {"p50": round(percentile(ms, 50), 3), "p99": round(percentile(ms, 99), 3),
            "max": round(max(ms), 3), "n": len(ms)}  # fmt: skip


def session_cookie(user) -> str:
    """A logged-in session cookie ("name=value") for `user`."""
    client = Client()
    client.force_login(user)
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"


def dashboard_session() -> str:
    """A logged-in session cookie for the benchmark's dashboards."""
    return dashboard_sessions(1)[0]


def dashboard_sessions(count: int) -> list[str]:
    """`count` session cookies of the benchmark's dashboards' user, each a browser of its own."""
    user, _ = get_user_model().objects.get_or_create(username="bench")
    return [session_cookie(user) for _ in range(count)]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def run_facts() -> dict:
    """When and where a benchmark ran, recorded with its results."""
    return {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": f"{os.cpu_count()} cores ({cpu_model()}), {platform.platform()}, Python {platform.python_version()}",
    }


def cpu_model() -> str:
    """The processor's name (Linux), as runs on different machines of the same size differ."""
    try:
        lines = Path("/proc/cpuinfo").read_text().splitlines()
    except OSError:
        return platform.processor() or "unknown"
    return next((line.split(":", 1)[1].strip() for line in lines if line.startswith("model name")), "unknown")


# The latest run of each benchmark, beside the docs page that quotes it (docs/benchmarks/).
FIGURES = Path(__file__).resolve().parent.parent / "docs" / "benchmarks" / "figures"


def save_results(name: str, results: dict) -> None:
    """Write results to bench/results/<name>-<UTC time>.json, and as the latest figures to
    docs/benchmarks/figures/<name>.json, where the benchmark's page reads them; say where."""
    folder = Path(__file__).resolve().parent / "results"
    folder.mkdir(exist_ok=True)
    text = json.dumps(results, indent=1)
    out = folder / f"{name}-{datetime.now(UTC):%Y%m%dT%H%M%S}.json"
    out.write_text(text)
    FIGURES.mkdir(exist_ok=True)
    (FIGURES / f"{name}.json").write_text(text + "\n")
    print(f"written to bench/results/{out.name} and docs/benchmarks/figures/{name}.json")
