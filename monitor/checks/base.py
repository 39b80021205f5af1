"""What every check kind is, takes and returns, and the guard that bounds each run."""

import asyncio
import logging
import socket
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field

from core.security import destinations
from monitor.checks import settings as kind_settings
from monitor.checks.settings import Setting

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class CheckSpec:
    """A check as the runners see it: plain data, no ORM, built in the task thread.

    `options` holds the check's settings (CheckKind.settings).
    """

    id: int
    host_id: int
    kind: str
    address: str
    timeout_s: float
    due: float = 0.0  # unix seconds of the slot the dispatcher claimed
    options: Mapping = field(default_factory=dict, repr=False)  # may hold credentials


@dataclass
class Outcome:
    """What one run measured. `error` set means the target is DOWN, and says why."""

    latency_ms: float | None = None
    loss_pct: float | None = None
    jitter_ms: float | None = None
    error: str = ""
    details: dict = field(default_factory=dict)
    device: object | None = None  # an SNMP poll (monitor.devices.snmp.discovery.DevicePoll), recorded beside the result


class CheckFailed(Exception):
    """The target answered wrongly or not at all; the message is shown to operators."""


class CheckKind:
    """One kind of check: how it runs, and how people configure it. One subclass per module
    in monitor/checks/, registered in monitor.checks.KIND_MODULES.

    `settings` are what a check of the kind is configured with, kept in Check.settings:
    the runner gets them in `CheckSpec.options`, admin shows them in the kind's fieldset,
    the API publishes them as fields of a check.
    """

    name: str  # stored in Check.kind, at most 4 characters
    label: str
    settings: tuple[Setting, ...] = ()
    admin_rows: tuple = ()  # rows of the kind's admin fieldset (a tuple puts fields side by side)
    csv_syntax: str = ""  # how a CSV row writes it, e.g. tcp:<port>
    measures_loss = False  # only then may a check have a loss threshold
    polls_ports = False  # its results record a device's ports (history source "ports")
    charts_loss = False  # the host page draws its results' loss beside their latency
    traces_hops = False  # the host page shows its results' hops

    def defaults(self) -> dict:
        return kind_settings.defaults(self.settings)

    def normalized(self, values: Mapping) -> dict:
        """`values` with exactly this kind's settings, defaults where one is missing."""
        return kind_settings.normalized(self.settings, values)

    def setting_problems(self, values: Mapping) -> dict[str, str]:
        """setting -> what is wrong with it, by the declarations alone (type, bounds, choices)."""
        return kind_settings.problems(self.settings, values)

    def readings(self, result, previous_details: Callable[[], dict | None]) -> dict[str, float]:
        """Metrics alert rules compare, from one saved result of a check of this kind.

        `previous_details()` reads the check's result before this one, for kinds that
        compare runs.
        """
        return {}

    async def run(self, spec: CheckSpec) -> Outcome:
        raise NotImplementedError

    def describe(self, check) -> str:
        """What is checked, in a few words, e.g. `tcp :22`."""
        raise NotImplementedError

    def validate(self, check) -> dict[str, str]:
        """field -> problem, for a check of this kind; empty when it is fine."""
        return {}

    def from_csv(self, argument: str, check) -> None:
        """Set the kind's fields of `check` from the text after `<kind>:` in a CSV row.

        Raises ValueError with how to write it when the argument does not fit.
        """
        if argument:
            raise ValueError(f"write it as {self.csv_syntax}")


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


async def resolve(address: str, port: int = 0, family: int = socket.AF_UNSPEC) -> tuple[int, str]:
    """(family, IP) of `address`, which may already be an IP.

    DNS failures and addresses in a denied network (core.security.destinations) raise CheckFailed.
    """
    loop = asyncio.get_running_loop()
    try:
        infos = await loop.getaddrinfo(address, port, family=family, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise CheckFailed(f"cannot resolve {address}: {exc.strerror}") from None
    info_family, _, _, _, sockaddr = infos[0]
    if problem := destinations.refusal(sockaddr[0]):
        raise CheckFailed(problem)
    return info_family, sockaddr[0]


def elapsed_ms(started: float) -> float:
    return (time.perf_counter() - started) * 1000
