"""The probe as users install it: the built wheel in a bare virtualenv, in a network namespace
of its own, with nothing but the two lines `probes add` prints (its URL, with its own Redis
user, and its name); then its link to the centre cut for a minute.

Its check's target listens on the namespace's own loopback: only a probe running there
can reach it. The namespace reaches the centre's Redis through a veth pair and a
forwarder (tests.stats.test_agent_install); setting the veth down cuts the link.
"""

import itertools
import subprocess
import time
import uuid
from contextlib import asynccontextmanager
from datetime import timedelta
from urllib.parse import urlsplit, urlunsplit

import pytest
from channels.db import database_sync_to_async
from django.conf import settings

from monitor.models import Check, CheckResult, Host, Site, Status
from probes import credentials
from probes.models import Probe
from tests import processes
from tests.conftest import socket
from tests.monitor.test_check_pipeline import next_frame
from tests.probes.test_probe_pipeline import until
from tests.stats.test_agent_install import can_make_veth_namespaces, forwarder, ip, namespace_with_veth
from tests.waits import EVENT_TIMEOUT_S

pytestmark = [
    pytest.mark.pipeline,
    pytest.mark.skipif(not can_make_veth_namespaces(), reason="needs root and `ip netns` to make a veth namespace"),
]

CUT_S = 60
INTERVAL_S = 5
TARGET_PORT = 8022
# A TCP target on the namespace's loopback, for as long as its process lives.
LISTEN = (
    "import socket, time; s = socket.socket(); s.bind(('127.0.0.1', {port})); s.listen(64); print('listening', "
    "flush=True)\nwhile True: s.accept()[0].close()"
)


@pytest.fixture(scope="module")
def probe_venv(wheel_venv):
    """The wheel `make agent-wheel` builds, installed as it is (no extra: the probe needs none) into a bare virtualenv."""
    found = subprocess.run([str(wheel_venv / "bin" / "python"), "-c", "import django"], capture_output=True)
    assert found.returncode != 0  # nothing of the server came along
    assert (wheel_venv / "bin" / "netmon-agent").exists()  # one wheel, both commands
    return wheel_venv


@asynccontextmanager
async def branch_check():
    """A check of the site, and its probe added as `manage.py probes add` does: with a Redis user of its own.

    The user's name carries this test run's REDIS_PREFIX, so it is this run's to make and delete.
    """

    def make() -> tuple[Host, Check, Probe, credentials.Credentials]:
        site = Site.objects.create(name="branch-ns")
        host = Host.objects.create(name="branch-ns-target", address="127.0.0.1", site=site)
        check = Check.objects.create(host=host, kind="tcp", port=TARGET_PORT, interval_s=INTERVAL_S, timeout_s=1)
        check.sites.add(site)
        made = credentials.add(f"probe-{uuid.uuid4().hex[:8]}", site.name)
        return host, check, Probe.objects.get(name=made.name), made

    host, check, probe, made = await database_sync_to_async(make)()
    try:
        yield host, check, probe, made
    finally:
        await database_sync_to_async(credentials.revoke)(probe.name)


def through(url: str, host: str, port: int) -> str:
    """The probe's URL with the address it reaches the centre's Redis at from its namespace."""
    parts = urlsplit(url)
    return urlunsplit(parts._replace(netloc=f"{parts.netloc.rpartition('@')[0]}@{host}:{port}"))


def slots_of(check: Check) -> list[float]:
    slots = CheckResult.objects.filter(host_check=check).order_by("scheduled_at").values_list("scheduled_at", flat=True)
    return [at.timestamp() for at in slots]


async def test_the_installed_probe_runs_its_sites_checks_and_delivers_a_minute_cut_off_exactly_once(
    alice, probe_venv, tmp_path
):
    async with branch_check() as (host, check, probe, made):
        await installed_probe_run(alice, probe_venv, tmp_path, host, check, probe, made)


async def installed_probe_run(alice, probe_venv, tmp_path, host, check, probe, made):
    communicator = await socket("/ws/stats/", alice)
    assert (await communicator.connect())[0]
    await communicator.send_json_to({"type": "watch", "host": host.id})
    redis_port = urlsplit(settings.REDIS_URL).port or 6379
    with namespace_with_veth() as (namespace, _, host_ip, _), forwarder(host_ip, redis_port) as port:
        host_if = f"nmh{namespace.removeprefix('nm-')}"  # the host's end of the veth pair
        environment = {"REDIS_URL": through(made.redis_url, host_ip, port), "PROBE_NAME": made.name}
        assert set(made.environment()) == set(environment)  # all `probes add` prints; nothing else
        # Its account's home is the test's folder; nothing in its environment says where its buffer is.
        command = ["env", "-i", f"HOME={tmp_path}", *(f"{k}={v}" for k, v in environment.items()),
                   str(probe_venv / "bin" / "netmon-probe")]  # fmt: skip
        listen = LISTEN.format(port=TARGET_PORT)
        with processes.running(["python3", "-c", listen], processes.logged("listening"), namespace=namespace), \
                processes.probes_service(), \
                processes.running(command, processes.logged("running 1 checks"), namespace=namespace) as running:  # fmt: skip
            frame = await next_frame(communicator, lambda f: f["type"] == "check_results")
            await until(lambda: Probe.objects.get(pk=probe.pk).online, "the probe online")

            ip("link", "set", host_if, "down")  # the branch office's link to the centre is cut
            cut_at = time.time()
            await until(lambda: Check.objects.get(pk=check.pk).status == Status.UNKNOWN, "its check UNKNOWN")
            offline = await database_sync_to_async(lambda: Probe.objects.get(pk=probe.pk).online)()
            before = len(await database_sync_to_async(slots_of)(check))
            await until(lambda: time.time() - cut_at >= CUT_S, "the minute", timeout=CUT_S + 5)
            ip("link", "set", host_if, "up")
            back_at = time.time()

            # Every slot of the minute arrives, in order, once.
            def caught_up():
                slots = slots_of(check)
                return slots if slots and slots[-1] > back_at else None

            slots = await until(caught_up, "the results of the minute", timeout=EVENT_TIMEOUT_S + INTERVAL_S)
            await until(lambda: Check.objects.get(pk=check.pk).status == Status.UP, "its check UP again")
            saved_probe = await database_sync_to_async(Probe.objects.get)(pk=probe.pk)
            assert running.poll() is None
    await communicator.disconnect()

    assert frame["host"] == host.id
    assert frame["results"][-1]["status"] == "up"  # the namespace's own target, reached from inside it
    assert offline is False
    gaps = [round(b - a, 3) for a, b in itertools.pairwise(slots)]
    assert set(gaps) == {INTERVAL_S}, gaps  # none lost, none twice
    during = [slot for slot in slots if cut_at < slot < back_at]
    assert len(during) >= CUT_S // INTERVAL_S - 1
    assert len(slots) > before + len(during) - 2
    results = await database_sync_to_async(lambda: list(CheckResult.objects.filter(host_check=check)))()
    assert all(r.status == Status.UP for r in results)
    assert all(abs(r.started_at - r.scheduled_at) < timedelta(seconds=1) for r in results)  # stamped with probe time
    assert abs(saved_probe.clock_skew_s) < 2
    state = tmp_path / ".local" / "state" / "netmon-probe"
    assert (state / f"{probe.name}.sqlite").exists()  # where the minute waited
    assert state.stat().st_mode & 0o777 == 0o700
