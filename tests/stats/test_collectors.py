import logging
from collections import namedtuple
from types import SimpleNamespace

import psutil
import pytest

from netmon_agent.collectors.cpu import CpuCollector, busy_percent
from netmon_agent.collectors.disk import DiskCollector
from netmon_agent.collectors.memory import MemoryCollector
from netmon_agent.collectors.net import NetCollector
from netmon_agent.collectors.tcp import (
    StateTableRefresher,
    TcpCollector,
    count_states,
    count_states_in,
    parse_snmp_tcp,
    parse_sockstat_tcp,
)
from netmon_agent.sampler import Sampler
from tests.servers import wait_for

# psutil's Linux cpu_times() fields, in its order.
cputimes = namedtuple("cputimes", "user nice system idle iowait irq softirq steal guest guest_nice")
NIC_FIELDS = ("bytes_sent", "bytes_recv", "packets_sent", "packets_recv", "errin", "errout", "dropin", "dropout")


def snetio(*values):
    return SimpleNamespace(**dict(zip(NIC_FIELDS, values, strict=True)))


def times(user=0.0, system=0.0, idle=0.0, iowait=0.0, guest=0.0):
    return cputimes(user, 0.0, system, idle, iowait, 0.0, 0.0, 0.0, guest, 0.0)


def test_busy_percent_is_work_over_all_time():
    assert busy_percent(times(), times(user=30, system=10, idle=50, iowait=10)) == 40.0


def test_guest_time_is_not_counted_twice():
    # Guest time is already inside user time on Linux.
    assert busy_percent(times(), times(user=50, idle=50, guest=50)) == 50.0


def test_busy_percent_without_elapsed_ticks_is_none():
    assert busy_percent(times(user=5, idle=5), times(user=5, idle=5)) is None


def test_cpu_collector_first_sample_has_no_percentages(monkeypatch):
    monkeypatch.setattr(psutil, "cpu_times", lambda percpu: [times(user=1, idle=1)] * 2)
    assert CpuCollector().collect(None) == {"count": 2, "percent": None, "cores": [None, None]}


def test_cpu_collector_reports_total_modes_and_cores_from_deltas(monkeypatch):
    readings = iter(
        [
            [times(user=10, idle=10), times(user=10, idle=10)],
            [times(user=20, idle=10), times(user=10, idle=20)],
        ]
    )
    monkeypatch.setattr(psutil, "cpu_times", lambda percpu: next(readings))
    collector = CpuCollector()
    collector.collect(None)
    result = collector.collect(1.0)
    assert result["percent"] == 50.0
    assert result["user"] == 50.0
    assert result["cores"] == [100.0, 0.0]


def test_net_collector_rates_survive_an_interface_counter_reset(monkeypatch):
    readings = iter(
        [
            {"eth9": snetio(10_000_000_000, 9_000_000_000, 100, 90, 0, 0, 0, 0)},
            {"eth9": snetio(2_000, 1_000, 4, 2, 1, 0, 3, 0)},  # driver reloaded: counters restart
        ]
    )
    monkeypatch.setattr(psutil, "net_io_counters", lambda pernic: next(readings))
    monkeypatch.setattr(psutil, "net_if_stats", lambda: {})
    collector = NetCollector()
    first = collector.collect(None)["eth9"]
    second = collector.collect(2.0)["eth9"]
    assert first["rx_bps"] is None
    assert second["tx_bps"] == 1000.0  # bytes_sent 2000 over 2 s
    assert second["rx_bps"] == 500.0
    assert second["rx_errors_ps"] == 0.5
    assert second["rx_drops_ps"] == 1.5
    assert second["up"] is False


def test_net_collector_reads_this_hosts_loopback():
    collector = NetCollector()
    collector.collect(None)
    lo = collector.collect(1.0)["lo"]
    assert lo["up"] is True
    assert lo["mtu"] > 0
    assert lo["rx_bps"] >= 0


def test_disk_collector_reports_root_usage_and_io_rates():
    collector = DiskCollector()
    collector.collect(None)
    result = collector.collect(1.0)
    root = result["mounts"]["/"]
    assert 0 <= root["percent"] <= 100
    assert root["used"] + root["free"] <= root["total"]
    for io in result["io"].values():
        assert io["read_bps"] >= 0
        assert 0 <= io["busy_percent"] <= 100


SNMP = """Ip: Forwarding DefaultTTL
Ip: 1 64
Tcp: RtoAlgorithm RtoMin RtoMax MaxConn ActiveOpens PassiveOpens AttemptFails EstabResets CurrEstab InSegs OutSegs RetransSegs InErrs OutRsts InCsumErrors
Tcp: 1 200 120000 -1 120 80 3 7 12 9000 8000 40 2 9 0
Udp: InDatagrams
Udp: 5
"""
SOCKSTAT = """sockets: used 300
TCP: inuse 14 orphan 1 tw 6 alloc 20 mem 3
UDP: inuse 2 mem 1
"""
TCP_TABLE = """  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1 1 0 100 0 0 10 0
   1: 0100007F:1F90 0100007F:C350 01 00000000:00000000 00:00000000 00000000     0        0 2 1 0 20 4 30 10 -1
   2: 0100007F:C350 0100007F:1F90 01 00000000:00000000 00:00000000 00000000     0        0 3 1 0 20 4 30 10 -1
   3: 0100007F:C352 0100007F:1F90 06 00000000:00000000 03:00001234 00000000     0        0 0 3 0
"""


def test_parse_snmp_tcp_pairs_header_and_values():
    tcp = parse_snmp_tcp(SNMP)
    assert tcp["CurrEstab"] == 12
    assert tcp["RetransSegs"] == 40


def test_parse_sockstat_reads_the_tcp_line():
    assert parse_sockstat_tcp(SOCKSTAT) == {"inuse": 14, "orphan": 1, "tw": 6, "alloc": 20, "mem": 3}


def test_count_states_counts_each_socket_once():
    assert count_states(TCP_TABLE.splitlines()) == {"listen": 1, "established": 2, "time_wait": 1}


def test_a_table_file_is_counted_a_line_at_a_time_to_the_same_counts(tmp_path):
    table = tmp_path / "tcp"
    table.write_text(TCP_TABLE)
    assert count_states_in(str(table)) == {"listen": 1, "established": 2, "time_wait": 1}


def test_tcp_collector_reads_this_host():
    collector = TcpCollector(states_every=0)
    collector.collect(None)
    result = collector.collect(1.0)
    assert result["established"] >= 0
    assert result["active_opens_ps"] >= 0


class Broken:
    key = "broken"

    def collect(self, elapsed):
        raise PermissionError("no access to /proc/secret")


class Counting:
    """Records the elapsed time it is given; fails when told to."""

    key = "counting"

    def __init__(self):
        self.fail = False
        self.elapsed = []

    def collect(self, elapsed):
        if self.fail:
            raise OSError("device gone")
        self.elapsed.append(elapsed)
        return len(self.elapsed)


def test_a_failing_collector_is_skipped_and_the_rest_still_goes_out(caplog):
    sampler = Sampler("h1", [Broken(), Counting()])
    with caplog.at_level(logging.ERROR):
        first = sampler.sample()
        second = sampler.sample()
    assert first["missing"] == ["broken"]
    assert second["missing"] == ["broken"]
    assert first["counting"] == 1
    assert second["counting"] == 2
    assert "broken" not in first
    assert len([r for r in caplog.records if "broken" in r.getMessage()]) == 1  # logged once, not every tick


def test_rates_after_a_failure_span_the_time_since_the_last_success(monkeypatch):
    clock = iter([100.0, 101.0, 102.0])
    monkeypatch.setattr("netmon_agent.sampler.time.monotonic", lambda: next(clock))
    counting = Counting()
    sampler = Sampler("h1", [counting])
    sampler.sample()
    counting.fail = True
    sampler.sample()
    counting.fail = False
    sampler.sample()
    assert counting.elapsed == [None, 2.0]


def test_a_real_sample_has_every_section_and_counts_ticks():
    sampler = Sampler("h1")
    sampler.sample()
    frame = sampler.sample()
    assert frame["type"] == "stats"
    assert frame["host"] == "h1"
    assert frame["seq"] == 2
    for key in ("cpu", "load", "mem", "disk", "net", "tcp", "uptime"):
        assert key in frame, key
    assert "missing" not in frame


@pytest.mark.parametrize("field", ["total", "available", "used", "percent", "swap_total"])
def test_memory_fields_are_present(field):
    assert MemoryCollector().collect(None)[field] >= 0


def test_the_tcp_state_thread_outlives_a_table_it_cannot_read(tmp_path, monkeypatch, caplog):
    """A table that is not text (read through the real path) is logged; the thread counts again once it reads."""
    (tmp_path / "net").mkdir()
    table = tmp_path / "net" / "tcp"
    table.write_bytes(b"header\n\xff\xfe not text\n")
    monkeypatch.setattr(psutil, "PROCFS_PATH", str(tmp_path))
    refresher = StateTableRefresher(every=0.5)  # daemon: it reads on until the test run ends
    refresher.ensure_running()
    wait_for(lambda: "TCP state table unreadable" in caplog.text, 30, "the failure logged")
    assert refresher.counts is None  # no stale counts meanwhile
    table.write_text(TCP_TABLE)
    wait_for(lambda: refresher.counts == {"listen": 1, "established": 2, "time_wait": 1}, 30, "counts again")
