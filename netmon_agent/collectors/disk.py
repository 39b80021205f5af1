import os
import time

import psutil

from netmon_agent.collectors import paths
from netmon_agent.collectors.base import Collector
from netmon_agent.rates import rates

# Block devices that are not disks anyone watches: loop mounts, RAM disks, CD drives.
IGNORED_DEVICE_PREFIXES = ("loop", "ram", "sr", "fd")
# Mounts change rarely; listing them parses /proc/self/mounts, so re-read at this pace.
MOUNTS_REFRESH_SECONDS = 60.0


def whole_disks() -> set[str]:
    """Names of whole block devices (not partitions), e.g. {"sda", "nvme0n1"}."""
    try:
        names = os.listdir(paths.sys("block"))
    except OSError:
        return set()
    return {name for name in names if not name.startswith(IGNORED_DEVICE_PREFIXES)}


class DiskCollector(Collector):
    """Usage per mounted filesystem and I/O rates per disk."""

    key = "disk"

    def __init__(self) -> None:
        self._mounts: list[str] = []
        self._mounts_read_at = float("-inf")
        self._disks = whole_disks()
        self._previous_io: dict[str, dict[str, int]] = {}

    def collect(self, elapsed):
        return {"mounts": self._usage(), "io": self._io(elapsed)}

    def _usage(self) -> dict:
        now = time.monotonic()
        if now - self._mounts_read_at > MOUNTS_REFRESH_SECONDS:
            mounts = {part.mountpoint for part in psutil.disk_partitions(all=False)}
            mounts.add("/")  # containers mount / as overlay, which all=False leaves out
            self._mounts, self._mounts_read_at = sorted(mounts), now
        usage = {}
        for mount in self._mounts:
            try:
                du = psutil.disk_usage(mount)
            except OSError:  # unmounted since the last listing, or not readable
                continue
            usage[mount] = {"total": du.total, "used": du.used, "free": du.free, "percent": du.percent}
        return usage

    def _io(self, elapsed) -> dict:
        counters = psutil.disk_io_counters(perdisk=True) or {}
        result, previous_io = {}, self._previous_io
        self._previous_io = {}
        for name, io in counters.items():
            if self._disks and name not in self._disks:
                continue
            current = {
                "read_bytes": io.read_bytes,
                "write_bytes": io.write_bytes,
                "reads": io.read_count,
                "writes": io.write_count,
                "busy_ms": getattr(io, "busy_time", 0),
            }
            self._previous_io[name] = current
            per_second = rates(previous_io.get(name), current, elapsed)
            busy = per_second["busy_ms"]
            result[name] = {
                "read_bps": _round(per_second["read_bytes"]),
                "write_bps": _round(per_second["write_bytes"]),
                "read_iops": _round(per_second["reads"]),
                "write_iops": _round(per_second["writes"]),
                # busy_time counts milliseconds the device had I/O in flight.
                "busy_percent": None if busy is None else round(min(100.0, busy / 10.0), 1),
            }
        return result


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 1)
