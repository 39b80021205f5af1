"""Benchmark of SNMP device polling (`make bench-devices`). Not part of the test suite.

Simulated 48-port switches (bench/snmp_farm.py, one process on loopback) are polled by
ONE checks worker, dispatched by a real beat and worker (history rolled up by the
housekeeping worker, as in production), as SNMP checks (v2c, 64-bit
counters, every port's states, octets, packets, errors and discards). Two rounds:

- BENCH_DEVICES (1,000) devices every 60 s;
- BENCH_FAST_DEVICES (100) devices every 10 s.

After a warm-up of 1.5 intervals, over a window (BENCH_WINDOW, 300 s) each round reports:
poll lag (result start minus its claimed slot: p50/p99/max), missed polls (slots in the
window without a result), results that were DOWN, ports recorded, and the CPU seconds per
second of the checks worker, the housekeeping worker and the device farm, and how far
the minute rollup is behind at the window's end.

    python bench/snmp_devices.py [sqlite|postgres]
"""

import json
import multiprocessing
import os
import sys
import time
from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.environment import fresh_postgres, prepare  # noqa: E402

DATABASE = sys.argv[1] if len(sys.argv) > 1 else "sqlite"  # or postgres: a fresh database on POSTGRES_TEST_URL's server
WORKDIR = prepare("bench-devices", fresh_postgres("devices") if DATABASE == "postgres" else None)

from django.core.management import call_command  # noqa: E402

from bench import snmp_farm  # noqa: E402
from bench.common import free_port, run_facts, save_results, summary_ms  # noqa: E402
from monitor.devices.models import Interface  # noqa: E402
from monitor.models import Check, CheckResult, Host  # noqa: E402
from monitor.scheduling import phase  # noqa: E402
from stats.models import RollupCursor  # noqa: E402
from tests import processes  # noqa: E402

ROUNDS = [
    (int(os.environ.get("BENCH_DEVICES", "1000")), 60),
    (int(os.environ.get("BENCH_FAST_DEVICES", "100")), 10),
]
WINDOW_S = float(os.environ.get("BENCH_WINDOW", "300"))


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a process so far (/proc/<pid>/stat)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def create_devices(count: int, port: int, interval_s: int) -> None:
    Check.objects.all().delete()
    Host.objects.all().delete()
    hosts = Host.objects.bulk_create(Host(name=f"sw-{i:04d}", address="127.0.0.1") for i in range(count))
    Check.objects.bulk_create(
        Check(host=host, kind="snmp", port=port, community=f"dev-{i}", interval_s=interval_s, timeout_s=5,
              snmp_retries=1)
        for i, host in enumerate(hosts)
    )  # fmt: skip


def analyse(window: tuple[float, float], interval_s: int) -> dict:
    start, end = (datetime.fromtimestamp(t, UTC) for t in window)
    rows = CheckResult.objects.filter(scheduled_at__gte=start, scheduled_at__lt=end).values_list(
        "host_check_id", "scheduled_at", "started_at", "status", "error"
    )
    lags, seen, statuses, errors = [], defaultdict(set), defaultdict(int), defaultdict(int)
    for check_id, scheduled, started, status, error in rows:
        lags.append((started - scheduled).total_seconds())
        seen[check_id].add(scheduled.timestamp())
        statuses[status] += 1
        if error:
            errors[error[:80]] += 1
    missed = 0
    for check_id in Check.objects.values_list("id", flat=True):
        offset = phase(check_id, interval_s)
        k = -(-(window[0] - offset) // interval_s)
        slots = [offset + (k + i) * interval_s for i in range(int(WINDOW_S // interval_s) + 1)]
        slots = [slot for slot in slots if slot < window[1]]
        missed += sum(1 for slot in slots if not any(abs(slot - t) < 0.001 for t in seen[check_id]))
    return {"polls": len(lags), "statuses": dict(statuses), "errors": dict(errors),
            "poll_lag_ms": summary_ms(lags), "missed_polls": missed}  # fmt: skip


def run_round(devices: int, interval_s: int, farm_port: int, farm_pid: int) -> dict:
    create_devices(devices, farm_port, interval_s)
    warmup = 1.5 * interval_s + 5
    print(f"{devices} devices x {snmp_farm.PORTS} ports every {interval_s} s; warm-up {warmup:.0f} s, "
          f"window {WINDOW_S:.0f} s", flush=True)  # fmt: skip
    with (
        processes.beat(WORKDIR),
        processes.tasks_worker("bench-dispatcher"),
        processes.housekeeping_worker("bench-housekeeping") as housekeeping,
        processes.checks_worker("bench-snmp") as worker,
    ):
        time.sleep(warmup)
        cpu_before = cpu_seconds(worker.pid), cpu_seconds(farm_pid), cpu_seconds(housekeeping.pid)
        window = (time.time(), time.time() + WINDOW_S)
        time.sleep(WINDOW_S)
        cpu_after = cpu_seconds(worker.pid), cpu_seconds(farm_pid), cpu_seconds(housekeeping.pid)
        rolled_up_until = RollupCursor.objects.filter(tier="minute").values_list("done_until", flat=True).first()
        rollup_behind_s = round(time.time() - rolled_up_until, 1) if rolled_up_until else None
        time.sleep(min(interval_s, 15))  # the window's last polls are saved
    return {
        "devices": devices,
        "ports_per_device": snmp_farm.PORTS,
        "interval_s": interval_s,
        "window_s": WINDOW_S,
        **analyse(window, interval_s),
        "ports_recorded": Interface.objects.count(),
        "checks_worker_cpu_per_s": round((cpu_after[0] - cpu_before[0]) / WINDOW_S, 3),
        "device_farm_cpu_per_s": round((cpu_after[1] - cpu_before[1]) / WINDOW_S, 3),
        "housekeeping_cpu_per_s": round((cpu_after[2] - cpu_before[2]) / WINDOW_S, 3),
        # How far the minute rollup lags behind the clock at the window's end (its grace is
        # SAMPLE_PERSIST_EVERY + 20 s, plus up to a minute between runs).
        "minute_rollup_behind_s": rollup_behind_s,
    }


def main() -> None:
    call_command("migrate", verbosity=0)
    farm_port = free_port()
    ready, stop = multiprocessing.Event(), multiprocessing.Event()
    devices = max(count for count, _ in ROUNDS)
    farm = multiprocessing.Process(target=snmp_farm.serve, args=(farm_port, devices, ready, stop), daemon=True)
    farm.start()
    if not ready.wait(30):
        sys.exit("the device farm did not start")
    try:
        rounds = [run_round(count, interval_s, farm_port, farm.pid) for count, interval_s in ROUNDS]
    finally:
        stop.set()
        farm.join(10)
    results = {**run_facts(), "database": DATABASE, "rounds": rounds}
    print(json.dumps(results, indent=1))
    save_results("snmp-devices", results)


if __name__ == "__main__":
    main()
