"""Benchmark of the flow collector against nfdump's nfcapd (`make bench-flows`). Not part of the test suite.

The same NetFlow v5 and IPFIX packets (bench/flow_replay.py: BENCH_FLOW_RECORDS records,
600,000 by default) are replayed over loopback, in one run, to our collector
(`manage.py collect_flows`, the process `make run` starts) and to nfcapd (Debian's
nfdump). Each collector is one process; its CPU time from ready to exit (its own
accounting, wait4) divides the records it took in: records per second per core. Loss at
the socket is reported and does not count (only what a collector took in is divided).
Stored: what each keeps on disk per record (ours: the top-N tables' pages in SQLite,
read through dbstat; nfcapd: its files, LZ4-compressed as nfdump is usually run).

    python bench/flows.py
"""

import json
import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import flow_replay  # noqa: E402
from bench.common import run_facts, save_results  # noqa: E402

RECORDS = int(os.environ.get("BENCH_FLOW_RECORDS", "600000"))
BURST = 64  # packets sent back to back, then a pause so a collector's socket is not simply overrun
PAUSE_S = 0.002
IDLE_S = 1.0  # a collector whose CPU time stands still this long has taken in all it will
GOAL_RECORDS_PER_S = 200_000
CLOCK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK  # utime + stime, every thread


def free_udp_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def replay(packets: list[bytes], port: int) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sender:
        for start in range(0, len(packets), BURST):
            for packet in packets[start : start + BURST]:
                sender.sendto(packet, ("127.0.0.1", port))
            time.sleep(PAUSE_S)


def wait_idle(pid: int) -> None:
    last, still_since = cpu_seconds(pid), time.monotonic()
    while time.monotonic() - still_since < IDLE_S:
        time.sleep(0.2)
        now = cpu_seconds(pid)
        if now != last:
            last, still_since = now, time.monotonic()


def measure(command: list[str], ready: str, packets: list[bytes], port: int, env: dict) -> tuple[float, str]:
    """CPU seconds the collector spent from ready to exit, and its output."""
    with tempfile.NamedTemporaryFile("w+", suffix=".log") as log:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 120
        while ready not in Path(log.name).read_text():
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"{command[0]} did not start:\n{Path(log.name).read_text()}")
            time.sleep(0.1)
        time.sleep(0.5)  # its start-up settles (imports, first database connection)
        started = cpu_seconds(process.pid)
        replay(packets, port)
        wait_idle(process.pid)
        process.send_signal(signal.SIGTERM)
        _, _, usage = os.wait4(process.pid, 0)
        process.returncode = 0
        return usage.ru_utime + usage.ru_stime - started, Path(log.name).read_text()


def ours(packets: list[bytes], folder: Path) -> dict:
    database = folder / "db.sqlite3"
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{database}",
        "REDIS_PREFIX": os.environ.get("REDIS_PREFIX", "netmon-bench"),
    }
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    port = free_udp_port()
    env |= {"NETFLOW_PORT": str(port), "SFLOW_PORT": str(free_udp_port())}
    cpu, output = measure([sys.executable, "manage.py", "collect_flows"], "listening", packets, port, env)
    tally = json.loads(re.search(r"flows collector stopped: (\{.*\})", output).group(1))
    return {"records": tally.get("records", 0), "cpu_s": round(cpu, 3), "stored_bytes": stored_bytes(database)}


def stored_bytes(database: Path) -> int:
    with sqlite3.connect(database) as db:
        [(size,)] = db.execute("SELECT COALESCE(SUM(pgsize), 0) FROM dbstat WHERE name LIKE 'flows_talker%'")
    return int(size)


def nfcapd(packets: list[bytes], folder: Path) -> dict:
    flows_dir = folder / "nfcapd"
    flows_dir.mkdir()
    port = free_udp_port()
    command = ["nfcapd", "-w", str(flows_dir), "-b", "127.0.0.1", "-p", str(port), "-t", "3600", "-y", "-B", "16777216"]
    cpu, _ = measure(command, "Startup", packets, port, {**os.environ})
    files = [f for f in flows_dir.rglob("nfcapd.*") if f.is_file()]
    shown = subprocess.run(["nfdump", "-R", str(flows_dir), "-I"], capture_output=True, text=True).stdout
    records = int(re.search(r"^Flows: (\d+)", shown, re.M).group(1))
    return {"records": records, "cpu_s": round(cpu, 3), "stored_bytes": sum(f.stat().st_size for f in files)}


def summarise(name: str, result: dict, sent: int) -> dict:
    result["sent"] = sent
    result["records_per_core_s"] = round(result["records"] / result["cpu_s"]) if result["cpu_s"] else None
    result["bytes_per_record"] = round(result["stored_bytes"] / result["records"], 3) if result["records"] else None
    print(f"  {name:8} took in {result['records']:>9,} of {sent:,} records, {result['cpu_s']:.2f} CPU s: "
          f"{result['records_per_core_s'] or 0:>10,} records/s per core, "
          f"{result['bytes_per_record']} bytes stored a record")  # fmt: skip
    return result


def main() -> None:
    results = {**run_facts(), "records": RECORDS, "formats": {}}
    for name, make in (("netflow-v5", flow_replay.v5_packets), ("ipfix", flow_replay.ipfix_packets)):
        packets = make(RECORDS)
        sent = sum(flow_replay.records_in(packet) for packet in packets)
        print(f"{name}: {len(packets):,} packets, {sent:,} records")
        with tempfile.TemporaryDirectory() as folder:
            round_ = {
                "ours": summarise("ours", ours(packets, Path(folder)), sent),
                "nfcapd": summarise("nfcapd", nfcapd(packets, Path(folder)), sent),
            }
        mine, theirs = round_["ours"]["records_per_core_s"] or 0, round_["nfcapd"]["records_per_core_s"] or 0
        round_["goals"] = {
            "at_least_nfcapd": mine >= theirs,
            f"at_least_{GOAL_RECORDS_PER_S}": mine >= GOAL_RECORDS_PER_S,
        }
        print(f"  goals: {round_['goals']}")
        results["formats"][name] = round_
    save_results("flows", results)


if __name__ == "__main__":
    main()
