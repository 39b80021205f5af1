import psutil

from netmon_agent.collectors.base import Collector


class MemoryCollector(Collector):
    """RAM and swap in bytes; `percent` is the share not available to new work."""

    key = "mem"

    def collect(self, elapsed):
        mem = psutil.virtual_memory()
        swap = psutil.swap_memory()
        return {
            "total": mem.total,
            "available": mem.available,
            "used": mem.total - mem.available,
            "percent": round(mem.percent, 1),
            "swap_total": swap.total,
            "swap_used": swap.used,
            "swap_percent": round(swap.percent, 1),
        }
