"""One collector per statistic. The sampler lists them in COLLECTORS."""

from stats.collectors.cpu import CpuCollector
from stats.collectors.disk import DiskCollector
from stats.collectors.load import LoadCollector
from stats.collectors.memory import MemoryCollector
from stats.collectors.net import NetCollector
from stats.collectors.tcp import TcpCollector
from stats.collectors.uptime import UptimeCollector

COLLECTORS = (
    CpuCollector,
    LoadCollector,
    MemoryCollector,
    DiskCollector,
    NetCollector,
    TcpCollector,
    UptimeCollector,
)
