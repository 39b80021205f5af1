"""Ping check: N echo requests; round-trip min/avg/max, loss and jitter.

Where this process may not send ICMP at all, each "echo" is a TCP handshake to the
fallback port instead: a refused connection still proves the host answers, and its
round trip is measured the same way. Results say which method was used.
"""

from core.security import destinations
from monitor.checks.base import CheckKind, CheckSpec, Outcome
from monitor.checks.settings import Setting
from monitor.checks.tcp import PORT
from netmon_probe.checks import icmp
from netmon_probe.checks import ping as network
from netmon_probe.checks.ping import FALLBACK_PORT, TCP_FALLBACK, summarize  # noqa: F401 -- the kind's vocabulary

# Shared with path checks, where it is the number of rounds.
PING_COUNT = Setting(
    "ping_count", int, 5, label="echo requests", required=True, minimum=1, maximum=100,
    range_message="Send from 1 to 100 echo requests.",
)  # fmt: skip


class Ping(CheckKind):
    name = "ping"
    label = "ping (ICMP echo)"
    settings = (PING_COUNT, PORT)  # port: of the TCP fallback
    admin_rows = ("ping_count",)
    csv_syntax = "ping"
    measures_loss = True
    charts_loss = True

    async def run(self, spec: CheckSpec) -> Outcome:
        return await ping(spec)

    def describe(self, check) -> str:
        return f"ping x{check.ping_count}"


KIND = Ping()


async def ping(spec: CheckSpec, methods: tuple[str, ...] = (icmp.RAW, icmp.DGRAM)) -> Outcome:
    """One run under the centre's destination policy (the network side: netmon_probe.checks.ping)."""
    return await network.ping(spec, destinations.refusal, methods)
