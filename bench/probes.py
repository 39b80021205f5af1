"""Benchmark of a remote probe (`make bench-probes`). Not part of the test suite.

1. ONE probe process runs 2,000 TCP checks every 30 s against 2,000 listening ports on
   loopback, the probes process writing its results. Over a measured window (90 s by
   default, three rounds) it reports the schedule lag (result start minus its slot,
   p50/p99/max), slots without a result, and the probe's CPU (% of one core).
2. An hour of buffered results (2,000 checks x 120 slots = 240,000, as a probe keeps them
   on disk while its link is down) handed to a restarted probe: how long until its disk
   buffer is empty (sent to Redis), and until the centre has written all of them.

Everything runs on loopback, against a throwaway SQLite database and its own Redis prefix.
"""

import os
import resource
import sqlite3
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.environment import prepare  # noqa: E402

WORKDIR = prepare("probes")

import psutil  # noqa: E402
from django.core.management import call_command  # noqa: E402

from bench.check_targets import Targets  # noqa: E402
from bench.common import run_facts, save_results, summary_ms  # noqa: E402
from monitor.models import Check, CheckResult, Host, Site  # noqa: E402
from netmon_probe import sealing  # noqa: E402
from netmon_probe.buffer import Buffer  # noqa: E402
from netmon_probe.checks.core import Outcome  # noqa: E402
from netmon_probe.runtime import result_text  # noqa: E402
from netmon_probe.slots import phase, slot_after  # noqa: E402
from probes.models import Probe  # noqa: E402
from tests import processes  # noqa: E402

CHECKS = int(os.environ.get("BENCH_CHECKS", "2000"))
INTERVAL_S = 30
WARMUP_S = float(os.environ.get("BENCH_WARMUP", "40"))  # the first round, and the probes process settling
WINDOW_S = float(os.environ.get("BENCH_WINDOW", "90"))
BUFFERED_S = float(os.environ.get("BENCH_BUFFERED", "3600"))  # how much of an outage is caught up
CATCH_UP_LIMIT_S = float(os.environ.get("BENCH_CATCH_UP_LIMIT", "900"))
PARTS = os.environ.get("BENCH_PARTS", "steady,catch_up").split(",")  # run one part alone: BENCH_PARTS=catch_up


def setup(ports: list[int]) -> tuple[Probe, str, list[Check]]:
    site = Site.objects.create(name="bench-branch")
    hosts = Host.objects.bulk_create(Host(name=f"bench-{i:04d}", address="127.0.0.1") for i in range(len(ports)))
    checks = Check.objects.bulk_create(
        Check(host=host, kind="tcp", port=port, interval_s=INTERVAL_S, timeout_s=5)
        for host, port in zip(hosts, ports, strict=True)
    )
    site.checks.add(*checks)
    probe = Probe(name="bench-probe", site=site, password_digest="")
    probe.key = key = sealing.key_from_url(os.environ["REDIS_URL"])
    probe.save()
    return probe, key, checks


def probe_command(probe: Probe, key: str, buffer: Path) -> list[str]:
    environment = {"REDIS_URL": os.environ["REDIS_URL"], "PROBE_NAME": probe.name,
                   "REDIS_PREFIX": os.environ["REDIS_PREFIX"], "PROBE_BUFFER": str(buffer),
                   "PROBE_BUFFER_MAX": "1000000", "PYTHONPATH": str(ROOT), "PATH": os.environ["PATH"]}  # fmt: skip
    return ["env", "-i", *(f"{k}={v}" for k, v in environment.items()), sys.executable, "-m", "netmon_probe"]


def steady(probe: Probe, key: str, checks: list[Check]) -> dict:
    with processes.running(probe_command(probe, key, WORKDIR / "steady.sqlite"), processes.logged("running")) as run:
        time.sleep(WARMUP_S)
        cpu = psutil.Process(run.pid)  # `env` execs the probe: the same process
        before, start = cpu.cpu_times(), time.time()
        time.sleep(WINDOW_S)
        after, end = cpu.cpu_times(), time.time()
        time.sleep(5)  # the window's last results reach the centre
    busy = (after.user + after.system) - (before.user + before.system)
    rows = CheckResult.objects.filter(scheduled_at__gte=_at(start), scheduled_at__lt=_at(end))
    lags = [(r.started_at - r.scheduled_at).total_seconds() for r in rows.only("started_at", "scheduled_at")]
    expected = sum(_slots_between(c.pk, start, end) for c in checks)
    return {"results": len(lags), "expected": expected, "missed": expected - len(lags), "lag": summary_ms(lags),
            "probe_cpu_pct_of_one_core": round(100 * busy / (end - start), 1)}  # fmt: skip


def _at(ts: float):
    from datetime import UTC, datetime

    return datetime.fromtimestamp(ts, UTC)


def _slots_between(check_id: int, start: float, end: float) -> int:
    slot, count = slot_after(start - 1e-6, INTERVAL_S, phase(check_id, INTERVAL_S)), 0
    while slot < end:
        slot, count = slot + INTERVAL_S, count + 1
    return count


def catch_up(probe: Probe, key: str, checks: list[Check]) -> dict:
    """An outage's results on the probe's disk, then the link back: how fast they are delivered."""
    path = WORKDIR / "outage.sqlite"
    buffer, ends = Buffer(path, max_entries=10_000_000), time.time() - 2 * INTERVAL_S - WINDOW_S - WARMUP_S - 60
    entries = []
    for check in checks:
        first = slot_after(ends - BUFFERED_S, INTERVAL_S, phase(check.pk, INTERVAL_S))
        for n in range(int(BUFFERED_S // INTERVAL_S)):
            entries.append((first + n * INTERVAL_S, check.pk))
    entries.sort()
    for begin in range(0, len(entries), 10_000):
        texts = [result_text(check_id, slot, slot + 0.001, Outcome(latency_ms=0.1, details={"port": 1}))
                 for slot, check_id in entries[begin : begin + 10_000]]  # fmt: skip
        buffer.append(texts)
    buffer.close()
    total, outage = len(entries), CheckResult.objects.filter(scheduled_at__lt=_at(ends))
    with processes.running(probe_command(probe, key, path), processes.logged("results kept from before")):
        started, sent_s, written_s = time.monotonic(), None, None
        while time.monotonic() - started < CATCH_UP_LIMIT_S and written_s is None:
            time.sleep(1)
            if sent_s is None and _buffered(path) == 0:
                sent_s = time.monotonic() - started
            if outage.count() >= total:
                written_s = time.monotonic() - started
    return {"buffered": total, "sent_to_redis_s": _round(sent_s), "written_by_centre_s": _round(written_s),
            "written": outage.count()}  # fmt: skip


def _buffered(path: Path) -> int:
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
        return db.execute("SELECT count(*) FROM entries").fetchone()[0]


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def main() -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, max(soft, CHECKS + 1024)), hard))
    call_command("migrate", verbosity=0)
    targets = Targets(CHECKS)
    probe, key, checks = setup(targets.ports)
    try:
        with processes.probes_service():
            results = {"checks": CHECKS, "interval_s": INTERVAL_S, "window_s": WINDOW_S}
            for part, measure in (("steady", steady), ("catch_up", catch_up)):
                if part in PARTS:
                    results[part] = measure(probe, key, checks)
                    print(f"{part}:", results[part], flush=True)
    finally:
        targets.stop()
    save_results("probes", {**run_facts(), **results})


if __name__ == "__main__":
    main()
