"""Check kinds, one module per kind, each with a `KIND` (a CheckKind). `execute` runs any
check within its timeout.

A new kind is a new module here, listed in KIND_MODULES, plus its tests.
"""

import functools
from importlib import import_module

from monitor.checks.base import CheckKind, CheckSpec, Outcome, run_guarded
from monitor.checks.settings import Setting

# In the order admin, CSV help and the API list them.
KIND_MODULES = (
    "monitor.checks.ping",
    "monitor.checks.tcp",
    "monitor.checks.http",
    "monitor.checks.dns",
    "monitor.checks.snmp",
    "monitor.checks.path",
)


@functools.cache
def kinds() -> dict[str, CheckKind]:
    """name -> kind, for every registered kind."""
    registered = [import_module(path).KIND for path in KIND_MODULES]
    return {kind.name: kind for kind in registered}


def kind(name: str) -> CheckKind:
    return kinds()[name]


@functools.cache
def all_settings() -> dict[str, Setting]:
    """name -> declaration, for every setting of every kind (a shared one, like port, once)."""
    declared: dict[str, Setting] = {}
    for registered in kinds().values():
        for setting in registered.settings:
            declared.setdefault(setting.name, setting)
    return declared


@functools.cache
def secret_names() -> frozenset[str]:
    """The settings kept encrypted and never shown back, of any kind."""
    return frozenset(name for name, setting in all_settings().items() if setting.secret)


def choices() -> list[tuple[str, str]]:
    return [(k.name, k.label) for k in kinds().values()]


async def execute(spec: CheckSpec) -> Outcome:
    """Run `spec`; never raises, never outlives its timeout."""
    return await run_guarded(kind(spec.kind).run, spec)
