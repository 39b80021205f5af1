"""The check kinds a probe runs, by name, each under the policy of its assignments."""

import functools

from netmon_probe.checks import core, dns, http, path, ping, snmp, tcp
from netmon_probe.checks.core import CheckSpec, Outcome
from netmon_probe.checks.policy import Destinations

KINDS = {"ping": ping.run, "tcp": tcp.run, "http": http.run, "dns": dns.run, "snmp": snmp.run, "path": path.run}


async def run(spec: CheckSpec, destinations: Destinations) -> Outcome:
    """One run within its timeout; never raises. A kind this probe cannot run is a DOWN with the reason."""
    runner = KINDS.get(spec.kind)
    if runner is None:
        return Outcome(error=f"this probe cannot run {spec.kind} checks (it runs {', '.join(sorted(KINDS))})")
    return await core.run_guarded(functools.partial(runner, refusal=destinations.refusal), spec)
