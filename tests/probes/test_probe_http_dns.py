"""A probe process runs HTTP and DNS checks (the centre's own code, netmon_probe.checks) against targets on loopback."""

import pytest
from channels.db import database_sync_to_async

from monitor.models import Check, CheckResult, Host, Site, Status
from tests import processes, targets
from tests.probes.conftest import make_probe, probe_process
from tests.probes.test_probe_pipeline import until

pytestmark = pytest.mark.pipeline

INTERVAL_S = 5


@database_sync_to_async
def site_checks(base: str, server: str):
    site = Site.objects.create(name="branch-web")
    host = Host.objects.create(name="branch-web-host", address="127.0.0.1", site=site)
    fetched = Check.objects.create(host=host, kind="http", url=f"{base}/ok", keyword="nominal",
                                   interval_s=INTERVAL_S, timeout_s=2)  # fmt: skip
    missing = Check.objects.create(host=host, kind="http", url=f"{base}/ok", keyword="on fire",
                                   interval_s=INTERVAL_S, timeout_s=2)  # fmt: skip
    resolved = Check.objects.create(host=host, kind="dns", dns_name="web.test", dns_server=server,
                                    interval_s=INTERVAL_S, timeout_s=2)  # fmt: skip
    unknown = Check.objects.create(host=host, kind="dns", dns_name="missing.test", dns_server=server,
                                   interval_s=INTERVAL_S, timeout_s=2)  # fmt: skip
    site.checks.add(fetched, missing, resolved, unknown)
    probe, key = make_probe(site)
    return (fetched, missing, resolved, unknown), probe, key


def first_result(check: Check) -> CheckResult | None:
    return CheckResult.objects.filter(host_check=check).order_by("scheduled_at").first()


async def test_a_probe_runs_http_and_dns_checks_against_its_targets(transactional_db, tmp_path):
    with targets.http_server() as base, targets.dns_server({"web.test.": ["127.0.0.7"]}) as server:
        checks, probe, key = await site_checks(base, server)
        with processes.probes_service(), probe_process(probe, key, tmp_path):
            fetched, missing, resolved, unknown = [
                await until(lambda check=check: first_result(check), f"a {check.kind} result from the probe")
                for check in checks
            ]

    assert (fetched.status, fetched.details["status"], fetched.error) == (Status.UP, 200, "")
    assert fetched.latency_ms > 0
    assert missing.status == Status.DOWN
    assert missing.error == "keyword 'on fire' not found in the response body"
    assert (resolved.status, resolved.details["answers"]) == (Status.UP, ["127.0.0.7"])
    assert unknown.status == Status.DOWN
    assert unknown.error == "NXDOMAIN: missing.test does not exist"
    assert {result.site_id for result in (fetched, missing, resolved, unknown)} == {probe.site_id}
