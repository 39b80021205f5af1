"""TCP connect: can a connection to host:port be opened, and how fast."""

import asyncio
import socket
import time

from netmon_probe.checks.core import CheckSpec, Outcome, Refusal, elapsed_ms, resolve


async def connect_time_ms(address: str, port: int, refusal: Refusal) -> float:
    """Milliseconds to complete a TCP handshake with address:port; raises OSError on failure."""
    family, ip = await resolve(address, port, socket.AF_UNSPEC, refusal)
    loop = asyncio.get_running_loop()
    # A bare socket, not open_connection(): no transport or stream objects for a
    # connection that is closed as soon as it opens.
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        sock.setblocking(False)
        started = time.perf_counter()
        await loop.sock_connect(sock, (ip, port))
        return elapsed_ms(started)


async def run(spec: CheckSpec, refusal: Refusal) -> Outcome:
    port = spec.options["port"]
    return Outcome(latency_ms=await connect_time_ms(spec.address, port, refusal), details={"port": port})
