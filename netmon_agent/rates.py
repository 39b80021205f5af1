"""Rates from cumulative counters: pure functions, tested directly."""

from collections.abc import Mapping


def counter_delta(previous: int, current: int, width: int | None = None) -> int:
    """How much a cumulative counter grew between two readings.

    A counter that goes backwards either wrapped at its width or was reset
    (reboot, driver reload, interface re-created). A 32-bit counter wraps in
    about 34 s at 1 Gbit/s, so a decrease that fits in half the counter's range
    is read as a wrap; anything else as a reset, after which the counter has
    counted `current` from zero. `width` is the counter's size in bits when it is
    known (SNMP says so); otherwise a value that fits in 32 bits is taken as 32-bit.
    """
    if current >= previous:
        return current - previous
    width = width or (32 if previous < 2**32 else 64)
    wrapped = current + 2**width - previous
    if wrapped < 2 ** (width - 1):
        return wrapped
    return current


def rate(previous: int, current: int, seconds: float) -> float | None:
    """Per-second rate of a counter, or None when no time has passed."""
    if seconds <= 0:
        return None
    return counter_delta(previous, current) / seconds


def rates(previous: Mapping[str, int] | None, current: Mapping[str, int], seconds: float | None) -> dict:
    """Per-second rates for every counter in `current` over `seconds`.

    With no previous reading (the first sample, or a new interface) every rate
    is None: a rate needs two readings, and zero would be a lie.
    """
    if previous is None or not seconds:
        return {name: None for name in current}
    return {
        name: (rate(previous[name], value, seconds) if name in previous else None) for name, value in current.items()
    }
