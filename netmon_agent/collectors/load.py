import os

from netmon_agent.collectors.base import Collector


class LoadCollector(Collector):
    """Load averages, and the 1-minute load per core (1.0 = every core busy)."""

    key = "load"

    def __init__(self) -> None:
        self._cores = os.cpu_count() or 1

    def collect(self, elapsed):
        one, five, fifteen = os.getloadavg()
        return {
            "1m": round(one, 2),
            "5m": round(five, 2),
            "15m": round(fifteen, 2),
            "per_core": round(one / self._cores, 2),
        }
