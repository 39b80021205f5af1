"""A probe process and the probes process, real both: results live on the dashboard, written once."""

import asyncio
import time

import pytest
from channels.db import database_sync_to_async
from django.utils import timezone

from monitor.models import Check, CheckResult, Host, Site, Status
from monitor.scheduling import claim_due_checks
from probes.models import Probe
from tests import processes, targets
from tests.conftest import socket
from tests.monitor.test_check_pipeline import next_frame
from tests.probes.conftest import make_probe, probe_process
from tests.waits import EVENT_TIMEOUT_S

pytestmark = pytest.mark.pipeline


async def until(condition, what: str, timeout: float = EVENT_TIMEOUT_S):
    """Poll `condition()` (run against the database) until it returns something true."""
    deadline = time.monotonic() + timeout
    while not (value := await database_sync_to_async(condition)()):
        assert time.monotonic() < deadline, f"not within {timeout} s: {what}"
        await asyncio.sleep(0.2)
    return value


@database_sync_to_async
def site_checks(port: int, interval_s: int = 5) -> tuple[Host, Check, Check, Site, Probe, str]:
    site = Site.objects.create(name="branch-a")
    host = Host.objects.create(name="branch-a-web", address="127.0.0.1", site=site)
    check = Check.objects.create(host=host, kind="tcp", port=port, interval_s=interval_s, timeout_s=1)
    pinged = Check.objects.create(host=host, kind="ping", ping_count=2, interval_s=interval_s, timeout_s=1)
    site.checks.add(check, pinged)
    probe, key = make_probe(site)
    return host, check, pinged, site, probe, key


async def test_a_probes_results_reach_the_dashboard_live_and_the_centre_never_runs_its_checks(alice, tmp_path):
    with targets.tcp_listener() as port:
        host, check, pinged, site, probe, key = await site_checks(port)
        communicator = await socket("/ws/stats/", alice)
        assert (await communicator.connect())[0]
        await communicator.send_json_to({"type": "watch", "host": host.id})
        with processes.probes_service(), probe_process(probe, key, tmp_path):
            frame = await next_frame(
                communicator, lambda f: f["type"] == "check_results" and f["results"][-1]["check"] == check.pk
            )
            await until(lambda: CheckResult.objects.filter(host_check=pinged).exists(), "a ping from the probe")
            await until(lambda: Probe.objects.filter(pk=probe.pk, online=True).exists(), "the probe online")
            seen = await until(lambda: Probe.objects.get(pk=probe.pk).clock_skew_s is not None, "its clock")
        await communicator.disconnect()

    assert frame["host"] == host.id
    assert frame["results"][-1]["status"] == "up"
    ping = await database_sync_to_async(CheckResult.objects.filter(host_check=pinged).first)()
    assert (ping.status, ping.loss_pct, ping.details["sent"]) == (Status.UP, 0.0, 2)
    result = await database_sync_to_async(CheckResult.objects.filter(host_check=check).first)()
    assert result.site_id == site.id
    assert result.details == {"port": port}
    assert (result.scheduled_at.timestamp() - result.started_at.timestamp()) < 1
    assert seen
    check = await database_sync_to_async(Check.objects.get)(pk=check.pk)
    assert check.status == Status.UP
    # The centre's dispatcher leaves a site's check to its probes.
    assert await database_sync_to_async(claim_due_checks)(timezone.now(), 3600, 100) == []
