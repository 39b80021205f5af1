"""Check runners, one module per kind. `execute` runs any of them within its timeout."""

from monitor.checks import dns, http, ping, tcp
from monitor.checks.base import CheckSpec, Outcome, run_guarded

RUNNERS = {"ping": ping.run, "tcp": tcp.run, "http": http.run, "dns": dns.run}


async def execute(spec: CheckSpec) -> Outcome:
    """Run `spec`; never raises, never outlives its timeout."""
    return await run_guarded(RUNNERS[spec.kind], spec)
