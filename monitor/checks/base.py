"""What every check kind is; what it takes and returns and the guard bounding each run are
framework-free (netmon_probe.checks.core), shared with the probes."""

import socket
from collections.abc import Callable, Mapping

from core.security import destinations
from monitor.checks import settings as kind_settings
from monitor.checks.settings import Setting
from netmon_probe.checks import core
from netmon_probe.checks.core import (  # noqa: F401 -- the kinds' vocabulary, run by the probes too
    CheckFailed,
    CheckSpec,
    Outcome,
    Runner,
    describe_os_error,
    elapsed_ms,
    run_guarded,
)


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


async def resolve(address: str, port: int = 0, family: int = socket.AF_UNSPEC) -> tuple[int, str]:
    """(family, IP) of `address`, which may already be an IP.

    DNS failures and addresses in a denied network (core.security.destinations) raise CheckFailed.
    """
    return await core.resolve(address, port, family, destinations.refusal)
