import psutil

from netmon_agent.collectors.base import Collector

# Time the CPU did no work. Everything else in /proc/stat counts as busy.
IDLE_FIELDS = ("idle", "iowait")


def total_time(times) -> float:
    """All CPU time in a reading. Guest time is already inside user/nice on Linux."""
    return sum(times) - getattr(times, "guest", 0) - getattr(times, "guest_nice", 0)


def busy_percent(previous, current) -> float | None:
    """CPU busy % between two `cpu_times()` readings (None if time did not advance)."""
    total = total_time(current) - total_time(previous)
    if total <= 0:
        return None
    idle = sum(getattr(current, f, 0) - getattr(previous, f, 0) for f in IDLE_FIELDS)
    return round(max(0.0, min(100.0, 100.0 * (total - idle) / total)), 1)


def mode_percents(previous, current, modes: tuple[str, ...]) -> dict[str, float | None]:
    total = total_time(current) - total_time(previous)
    if total <= 0:
        return {mode: None for mode in modes}
    return {
        mode: round(100.0 * max(0.0, getattr(current, mode, 0) - getattr(previous, mode, 0)) / total, 1)
        for mode in modes
    }


class CpuCollector(Collector):
    """Total and per-core CPU use from `cpu_times()` deltas.

    `psutil.cpu_percent()` is not used: its first call is meaningless and its
    state is per process, so two callers in one process disturb each other.
    """

    key = "cpu"
    MODES = ("user", "system", "iowait", "steal")

    def __init__(self) -> None:
        self._previous = None

    def collect(self, elapsed):
        per_core = psutil.cpu_times(percpu=True)
        total = _sum_times(per_core)
        previous, self._previous = self._previous, (total, per_core)
        if previous is None or len(previous[1]) != len(per_core):
            return {"count": len(per_core), "percent": None, "cores": [None] * len(per_core)}
        return {
            "count": len(per_core),
            "percent": busy_percent(previous[0], total),
            **mode_percents(previous[0], total, self.MODES),
            "cores": [busy_percent(p, c) for p, c in zip(previous[1], per_core, strict=True)],
        }


def _sum_times(per_core):
    """Sum per-core times: one read of /proc/stat serves total and cores."""
    kind = type(per_core[0])
    return kind(*(sum(values) for values in zip(*per_core, strict=True)))
