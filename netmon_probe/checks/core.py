"""What every check run takes and returns, the guard that bounds it, and name resolution under a policy."""

import asyncio
import logging
import socket
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field

logger = logging.getLogger(__name__)

# ip -> why it may not be reached, or None (policy.Destinations.refusal, core.security.destinations.refusal)
Refusal = Callable[[str], str | None]


@dataclass(frozen=True)
class CheckSpec:
    """A check as the runners see it: plain data, no ORM, built before the run.

    `options` holds the check's settings (its kind's declarations).
    """

    id: int
    host_id: int
    kind: str
    address: str
    timeout_s: float
    due: float = 0.0  # unix seconds of the slot this run is for
    options: Mapping = field(default_factory=dict, repr=False)  # may hold credentials


@dataclass
class Outcome:
    """What one run measured. `error` set means the target is DOWN, and says why."""

    latency_ms: float | None = None
    loss_pct: float | None = None
    jitter_ms: float | None = None
    error: str = ""
    details: dict = field(default_factory=dict)
    device: object | None = None  # an SNMP poll (netmon_probe.snmp.discovery.DevicePoll), recorded beside the result


class CheckFailed(Exception):
    """The target answered wrongly or not at all; the message is shown to operators."""


Runner = Callable[[CheckSpec], Awaitable[Outcome]]


async def run_guarded(runner: Runner, spec: CheckSpec) -> Outcome:
    """Run a check within its timeout. Never raises: any failure is a DOWN outcome with the reason."""
    try:
        async with asyncio.timeout(spec.timeout_s):
            return await runner(spec)
    except TimeoutError:
        return Outcome(error=f"timed out after {spec.timeout_s:g} s")
    except CheckFailed as exc:
        return Outcome(error=str(exc))
    except OSError as exc:
        return Outcome(error=describe_os_error(exc))
    except Exception as exc:  # a runner bug must cost one result, not the worker
        logger.exception("check %s (%s) failed unexpectedly", spec.id, spec.kind)
        return Outcome(error=f"internal error: {type(exc).__name__}: {exc}"[:500])


def describe_os_error(exc: OSError) -> str:
    if isinstance(exc, ConnectionRefusedError):
        return "connection refused"
    if isinstance(exc, socket.gaierror):
        return f"cannot resolve: {exc.strerror}"
    return (exc.strerror or str(exc) or type(exc).__name__)[:500]


async def resolve(address: str, port: int, family: int, refusal: Refusal) -> tuple[int, str]:
    """(family, IP) of `address`, which may already be an IP.

    DNS failures and addresses `refusal` names a reason for raise CheckFailed.
    """
    loop = asyncio.get_running_loop()
    try:
        infos = await loop.getaddrinfo(address, port, family=family, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise CheckFailed(f"cannot resolve {address}: {exc.strerror}") from None
    info_family, _, _, _, sockaddr = infos[0]
    if problem := refusal(sockaddr[0]):
        raise CheckFailed(problem)
    return info_family, sockaddr[0]


def elapsed_ms(started: float) -> float:
    return (time.perf_counter() - started) * 1000
