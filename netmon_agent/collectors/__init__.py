"""One collector per statistic. The sampler lists them in COLLECTORS."""

from netmon_agent.collectors.cpu import CpuCollector
from netmon_agent.collectors.disk import DiskCollector
from netmon_agent.collectors.load import LoadCollector
from netmon_agent.collectors.memory import MemoryCollector
from netmon_agent.collectors.net import NetCollector
from netmon_agent.collectors.tcp import TcpCollector
from netmon_agent.collectors.uptime import UptimeCollector

COLLECTORS = (
    CpuCollector,
    LoadCollector,
    MemoryCollector,
    DiskCollector,
    NetCollector,
    TcpCollector,
    UptimeCollector,
)
