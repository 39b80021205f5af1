"""Where the host's /proc and /sys are: the agent may run in a container that mounts them elsewhere.

psutil reads `psutil.PROCFS_PATH`; the collectors that read /proc and /sys files
themselves go through `proc()` and `sys()`, so one setting moves them all.
"""

import os

import psutil

SYSFS_PATH = "/sys"


def use_host_paths(procfs: str = "/proc", sysfs: str = "/sys") -> None:
    """Read the host's statistics from these mount points (e.g. /host/proc in a container)."""
    global SYSFS_PATH
    psutil.PROCFS_PATH = procfs
    SYSFS_PATH = sysfs


def proc(*parts: str) -> str:
    return os.path.join(psutil.PROCFS_PATH, *parts)


def sys(*parts: str) -> str:
    return os.path.join(SYSFS_PATH, *parts)
