import time

import psutil

from netmon_agent.collectors.base import Collector


class UptimeCollector(Collector):
    """Seconds since boot. Boot time is read once: psutil re-reads /proc/stat each call."""

    key = "uptime"

    def __init__(self) -> None:
        self._boot_time = psutil.boot_time()

    def collect(self, elapsed):
        return round(time.time() - self._boot_time)
