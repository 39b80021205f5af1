"""Ping: N echo requests; round-trip min/avg/max, loss and jitter.

Where this process may not send ICMP at all, each "echo" is a TCP handshake to the
fallback port instead: a refused connection still proves the host answers, and its
round trip is measured the same way. Results say which method was used.
"""

import asyncio
import itertools
import socket
import statistics
import time

from netmon_probe.checks import icmp
from netmon_probe.checks.core import CheckSpec, Outcome, Refusal, elapsed_ms, resolve
from netmon_probe.checks.tcp import connect_time_ms

FALLBACK_PORT = 80
TCP_FALLBACK = "tcp-fallback"
# Requests go out this far apart, or closer when the timeout would not fit them.
SPACING_S = 0.2
# Kept back from the check's timeout (at least; 5 % of a long one): replies are awaited until
# then, so the run returns its loss and round trips before the timeout cuts it short even when
# the loop is slow to wake (a 1 s check with 50 ms kept back was cut short on a loaded machine).
RETURN_MARGIN_S = 0.2


async def run(spec: CheckSpec, refusal: Refusal) -> Outcome:
    return await ping(spec, refusal)


async def ping(spec: CheckSpec, refusal: Refusal, methods: tuple[str, ...] = (icmp.RAW, icmp.DGRAM)) -> Outcome:
    # From the start, as the check's timeout runs: resolving and opening the socket count too.
    waiting_s = spec.timeout_s - max(RETURN_MARGIN_S, spec.timeout_s * 0.05)
    deadline = time.monotonic() + max(waiting_s, spec.timeout_s / 2)
    family, ip = await resolve(spec.address, 0, socket.AF_UNSPEC, refusal)
    sock = icmp.shared_socket(family, methods)
    count = spec.options["ping_count"]
    spacing = min(SPACING_S, spec.timeout_s / (2 * count))

    async def one(i: int) -> float | None:
        await asyncio.sleep(i * spacing)
        wait_s = deadline - time.monotonic()
        if sock is not None:
            return await sock.echo(ip, wait_s)
        return await tcp_echo(ip, spec.options["port"] or FALLBACK_PORT, wait_s, refusal)

    rtts = await asyncio.gather(*(one(i) for i in range(count)))
    return summarize(rtts, sock.kind if sock else TCP_FALLBACK, ip)


async def tcp_echo(ip: str, port: int, wait_s: float, refusal: Refusal) -> float | None:
    """A TCP handshake standing in for an echo: ms until SYN-ACK or RST, None when nothing came back."""
    started = time.perf_counter()
    try:
        async with asyncio.timeout(wait_s):
            await connect_time_ms(ip, port, refusal)
    except ConnectionRefusedError:
        pass  # a reset is an answer: the host is there
    except (TimeoutError, OSError):
        return None
    return elapsed_ms(started)


def summarize(rtts: list[float | None], method: str, ip: str) -> Outcome:
    """Loss, min/avg/max and jitter of one run's round-trip times (None = lost)."""
    received = [r for r in rtts if r is not None]
    loss = 100.0 * (len(rtts) - len(received)) / len(rtts)
    details = {"method": method, "ip": ip, "sent": len(rtts), "received": len(received)}
    if not received:
        return Outcome(
            loss_pct=100.0, error=f"no reply to {len(rtts)} echo requests ({_method_label(method)})", details=details
        )
    # Jitter as the mean difference between consecutive round trips (RFC 3550's idea,
    # without the smoothing): it shows an unsteady path that an average hides.
    jitter = statistics.fmean(abs(b - a) for a, b in itertools.pairwise(received)) if len(received) > 1 else 0.0
    details.update(rtt_min_ms=round(min(received), 3), rtt_max_ms=round(max(received), 3))
    return Outcome(latency_ms=statistics.fmean(received), loss_pct=loss, jitter_ms=jitter, details=details)


def _method_label(method: str) -> str:
    return "TCP fallback" if method == TCP_FALLBACK else "ICMP"
