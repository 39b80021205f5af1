"""Sweeping prefixes: every address of each prefix tried, at most `rate` new addresses a second."""

import asyncio
import ipaddress
from collections.abc import Iterable

MAX_SWEEP_ADDRESSES = 65_536  # a /16 at most per plan: a typo of /8 must not run for days


def addresses(prefixes: Iterable[str]) -> list[str]:
    found: list[str] = []
    for prefix in prefixes:
        network = ipaddress.ip_network(prefix, strict=False)
        for address in network.hosts() if network.num_addresses > 2 else network:
            if len(found) >= MAX_SWEEP_ADDRESSES:
                return found
            found.append(str(address))
    return found


async def paced(items: list[str], rate: float, visit) -> None:
    """Call `visit(item)` for each item, `rate` a second at most (a steady pace, not bursts)."""
    loop = asyncio.get_running_loop()
    started = loop.time()
    for position, item in enumerate(items):
        due = started + position / rate
        if (wait := due - loop.time()) > 0:
            await asyncio.sleep(wait)
        visit(item)
