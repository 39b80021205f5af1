"""Polling lab devices as a checks worker does, and evaluating the host alert rules on the result."""

import asyncio
import time

from alerts.evaluator import Evaluator
from alerts.readings import host_readings_of
from monitor.checks import execute
from monitor.models import Check, Host
from monitor.results import Finished, save_results
from netmon_probe.snmp import discovery
from tests.waits import EVENT_TIMEOUT_S


def snmp_check(host: Host, credentials, interval_s: int = 10) -> Check:
    if credentials.version == "2c":
        fields = {"snmp_version": "2c", "community": credentials.community}
    else:
        fields = {"snmp_version": "3", "community": "", "snmp_user": credentials.user, "auth_protocol": "SHA-256",
                  "auth_password": credentials.auth_password, "priv_protocol": "AES",
                  "priv_password": credentials.priv_password}  # fmt: skip
    check = Check(host=host, kind="snmp", interval_s=interval_s, timeout_s=2, snmp_retries=1, **fields)
    check.full_clean()
    check.save()
    discovery.forget(check.pk)
    return check


def poll(checks: list[Check], evaluator: Evaluator | None = None):
    """Run the checks as one batch of a checks worker, save it, and evaluate the host rules on it."""
    checks = list(Check.objects.select_related("host").filter(pk__in=[c.pk for c in checks]))
    started = time.time()

    async def run_all():
        return await asyncio.gather(*(execute(check.spec(started)) for check in checks))

    outcomes = asyncio.run(run_all())
    recorded = save_results([Finished(c.spec(started), o, started) for c, o in zip(checks, outcomes, strict=True)])
    if evaluator is not None:
        evaluator.evaluate_and_record(host_readings_of(recorded))
    return recorded


def until(condition, what: str) -> None:
    """Wait for a condition the lab's daemons bring about (BGP re-established, a link detected down)."""
    deadline = time.monotonic() + EVENT_TIMEOUT_S
    while not condition():
        assert time.monotonic() < deadline, f"waited {EVENT_TIMEOUT_S} s for {what}"
        time.sleep(0.2)
