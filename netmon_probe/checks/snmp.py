"""SNMP: a network device's state and every port's traffic (IF-MIB), v2c or v3 authPriv.

UP when the device answers; the poll (netmon_probe.snmp.discovery.DevicePoll) rides on the
outcome to be recorded beside the result, not in its details, which stay small. Run by the
probes and by the centre's checks workers alike, each under its own destination policy.
The credentials come in the check's options and go no further than the session.
"""

import asyncio
import socket
import time
from collections.abc import Callable, Mapping

from netmon_probe.checks.core import CheckFailed, CheckSpec, Outcome, Refusal, elapsed_ms, resolve
from netmon_probe.per_loop import per_loop
from netmon_probe.snmp import discovery
from netmon_probe.snmp.client import Credentials, Session, no_answer
from netmon_probe.snmp.errors import SnmpFailed

DEFAULT_PORT = 161
# Polls in flight on one event loop: a backlog (the database away for a while) then
# drains in waves instead of asking hundreds of devices at once and losing their answers.
POLLS_IN_FLIGHT = 100

poll_slot: Callable[[], asyncio.Semaphore] = per_loop(lambda: asyncio.Semaphore(POLLS_IN_FLIGHT))


def credentials(options: Mapping) -> Credentials:
    return Credentials(
        version=options["snmp_version"],
        community=options["community"],
        user=options["snmp_user"],
        auth_protocol=options["auth_protocol"],
        auth_password=options["auth_password"],
        priv_protocol=options["priv_protocol"],
        priv_password=options["priv_password"],
    )


async def run(spec: CheckSpec, refusal: Refusal) -> Outcome:
    options = spec.options
    port = options["port"] or DEFAULT_PORT
    family, ip = await resolve(spec.address, port, socket.AF_UNSPEC, refusal)
    retries = options["snmp_retries"]
    credentials_ = credentials(options)
    session = await Session.open(credentials_, family, ip, port, spec.timeout_s / (retries + 1), retries)
    async with poll_slot():
        started = time.perf_counter()
        device = await _poll(spec, session, credentials_.version)
    up = sum(1 for reading in device.ports if reading.oper_status == "up")
    details = {"port": port, "ports": len(device.ports), "ports_up": up, "uptime_s": device.uptime_ticks // 100}
    if device.sessions is not None:
        details["sessions_down"] = sum(1 for s in device.sessions if not s.up)
    if device.restarted:
        details["restarted"] = True
    return Outcome(latency_ms=elapsed_ms(started), details=details, device=device)


async def _poll(spec: CheckSpec, session: Session, version: str) -> discovery.DevicePoll:
    try:
        # Inside the runner's own guard, so that a silent agent reads as "no answer"
        # with the likely cause, not as a bare timeout.
        async with asyncio.timeout(spec.timeout_s * 0.95):
            return await discovery.poll(spec.id, session)
    except TimeoutError:
        discovery.forget(spec.id)
        raise CheckFailed(f"{no_answer(version)} (within {spec.timeout_s:g} s)") from None
    except SnmpFailed as failure:
        discovery.forget(spec.id)  # wrong credentials now may be right ones later: rediscover then
        raise CheckFailed(str(failure)) from None
