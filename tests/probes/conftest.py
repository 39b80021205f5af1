"""Probes for the tests: a row with its sealing key, and a probe process of the source tree."""

import os
import sys
import uuid
from pathlib import Path

import pytest
from django.conf import settings

from core.redis_io.redis_clients import sync_redis
from monitor.models import Site
from netmon_probe import sealing
from probes.models import Probe
from tests import processes


def make_probe(site: Site, name: str | None = None) -> tuple[Probe, str]:
    """A probe row without a Redis user of its own: the shared Redis's users are not the tests' to change.

    Its process connects as the test run's own user; what its own user may do is tested on a
    private Redis (test_credentials.py).
    """
    probe = Probe(name=name or f"probe-{uuid.uuid4().hex[:8]}", site=site, password_digest="")
    # Its process connects with the test run's URL: its key is the one derived from that URL's password.
    probe.key = key = sealing.key_from_url(settings.REDIS_URL)
    probe.save()
    return probe, key


def probe_environment(probe: Probe, key: str, redis_url: str | None = None) -> dict[str, str]:
    """What `manage.py probes add` puts in its environment file: its URL and name.

    REDIS_PREFIX too, because the test run's own user is not a probe's: its name does not
    carry the prefix as `<prefix>-probe-<name>` does.
    """
    return {"REDIS_URL": redis_url or settings.REDIS_URL, "PROBE_NAME": probe.name,
            "REDIS_PREFIX": settings.REDIS_PREFIX}  # fmt: skip


def probe_process(
    probe: Probe, key: str, workdir: Path, namespace: str | None = None, redis_url: str | None = None, **env: str
):
    """`python -m netmon_probe` from this tree, with nothing but its environment file's lines (and PATH, HOME);
    `env`: more of its settings (its receivers' ports)."""
    command = ["env", "-i", f"PATH={os.environ['PATH']}", "PYTHONUNBUFFERED=1", f"PYTHONPATH={processes.ROOT}",
               f"HOME={workdir}",  # its buffers go under its home's ~/.local/state
               *(f"{k}={v}" for k, v in {**probe_environment(probe, key, redis_url), **env}.items()),
               sys.executable, "-m", "netmon_probe"]  # fmt: skip
    return processes.running(command, processes.logged("running"), namespace=namespace)


@pytest.fixture(autouse=True)
def forget_probes():
    """Leave no probe's stream, lease or assignments in this run's Redis prefix after a test."""
    yield
    redis = sync_redis()
    if keys := list(redis.scan_iter(match=f"{settings.REDIS_PREFIX}:probe:*", count=1000)):
        redis.delete(*keys)
