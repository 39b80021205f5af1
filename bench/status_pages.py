"""Benchmark of status pages and exports (`make bench-status`). Not part of the test suite.

1. BENCH_READERS (10,000) anonymous readers of one public status page (20 hosts with 90
   days of uptime history) hold its socket open on one daphne process. Three state
   changes (DOWN, UP, DOWN) are recorded as the checks worker records them: results
   saved, then `results_recorded`, which rebuilds and announces the page once.
   Measured: time from the commit to each reader holding the new document (p50/p99/max,
   readers that never got it), and the web process's CPU in cores while idle and from
   each change until the last reader had it, with its resident memory.
2. A year of one host's check results (a run a minute: 525,600 rows) downloaded as CSV
   from /api/results/?host=&format=csv through daphne: rows, bytes, seconds, and the web
   process's resident memory before and at its peak (sampled every 50 ms).
"""

import json
import os
import subprocess
import sys
import threading
import time
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.environment import prepare  # noqa: E402

WORKDIR = prepare("status")

import psutil  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402

from api.models import ApiToken  # noqa: E402
from bench.common import free_port, percentile, run_facts, save_results, summary_ms  # noqa: E402
from core.contracts import signals  # noqa: E402
from monitor.checks.base import CheckSpec, Outcome  # noqa: E402
from monitor.models import Check, CheckResult, Host, Status  # noqa: E402
from monitor.results import Finished  # noqa: E402
from monitor.results import save_results as save_runs  # noqa: E402
from status.models import StatusPage, UptimeHour  # noqa: E402
from tests import processes  # noqa: E402

READERS = int(os.environ.get("BENCH_READERS", "10000"))
READER_PROCESSES = 4
CONNECT_RATE = float(os.environ.get("BENCH_CONNECT_RATE", "250"))  # per second, all processes together
HOSTS = 20
IDLE_S = 20
CHANGE_WAIT_S = 30
EXPORT_ROWS = int(os.environ.get("BENCH_EXPORT_ROWS", 365 * 24 * 60))


def fill_page() -> tuple[StatusPage, Check]:
    hosts = [Host.objects.create(name=f"service-{i:02}", address="127.0.0.1") for i in range(HOSTS)]
    checks = [Check.objects.create(host=h, kind="tcp", port=9, interval_s=60) for h in hosts]
    Host.objects.update(status=Status.UP)
    Check.objects.update(status=Status.UP)
    now = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    opened = now - timedelta(days=91)
    UptimeHour.objects.bulk_create(
        [
            UptimeHour(host_check=c, host_id=c.host_id, hour=now - timedelta(hours=h), opened_at=opened,
                       up_s=3540 if h % 97 else 3000, down_s=60 if h % 97 else 600, latency_ms_sum=600,
                       latency_count=60)
            for c in checks
            for h in range(1, 91 * 24)
        ],
        batch_size=2000,
    )  # fmt: skip
    page = StatusPage.objects.create(slug="public", title="Service status", public=True)
    page.hosts.set(hosts)
    return page, checks[0]


def record(check: Check, error: str) -> float:
    """One run of `check`, saved and announced as the checks worker does; returns the commit time."""
    now = time.time()
    spec = CheckSpec(check.id, check.host_id, check.kind, "127.0.0.1", 1.0, due=now)
    recorded = save_runs([Finished(spec, Outcome(latency_ms=None if error else 3.0, error=error), now)])
    committed = time.time()
    signals.send_logged(signals.results_recorded, sender=Check, recorded=recorded)
    return committed


def cpu_seconds(process: psutil.Process) -> float:
    times = process.cpu_times()
    return times.user + times.system


def start_readers(port: int) -> list[subprocess.Popen]:
    url = f"ws://127.0.0.1:{port}/ws/status/public/"
    share = READERS // READER_PROCESSES
    command = [sys.executable, "-m", "bench.status_readers", url, f"http://127.0.0.1:{port}", str(share),
               str(CONNECT_RATE / READER_PROCESSES)]  # fmt: skip
    return [
        subprocess.Popen([*command, str(n * share)], cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        for n in range(READER_PROCESSES)
    ]


def readers_bench(web: psutil.Process, port: int, check: Check) -> dict:
    began = time.time()
    readers = start_readers(port)
    connected = sum(int(r.stdout.readline().split()[1]) for r in readers)
    connect_s = time.time() - began
    print(f"{connected} readers connected in {connect_s:.1f} s", flush=True)
    rss_connected = web.memory_info().rss

    time.sleep(2)
    cpu0, t0 = cpu_seconds(web), time.time()
    time.sleep(IDLE_S)
    idle_cores = (cpu_seconds(web) - cpu0) / (time.time() - t0)

    changes = []
    for state, error in (("down", "connection refused"), ("up", ""), ("down", "connection refused")):
        cpu0 = cpu_seconds(web)
        committed = record(check, error)
        changes.append({"state": state, "committed": committed, "cpu_before": cpu0})
        time.sleep(CHANGE_WAIT_S)
        changes[-1]["cpu_after"] = cpu_seconds(web)

    arrivals, failed, closed, reasons = [], 0, 0, []
    for r in readers:
        r.stdin.write("stop\n")
        r.stdin.flush()
    for r in readers:
        out = json.loads(r.stdout.readline())
        arrivals += out["arrivals"]
        failed += out["failed"]
        reasons += out["failures"]
        closed += out["closed"]
        r.wait(30)

    results = []
    for number, change in enumerate(changes):
        end = changes[number + 1]["committed"] if number + 1 < len(changes) else float("inf")
        got = {}
        for index, _etag, state, received in arrivals:
            if change["committed"] <= received < end and state == change["state"]:
                got.setdefault(index, received - change["committed"])
        latencies = sorted(got.values())
        last = max(latencies) if latencies else 0
        # CPU from the change until the last reader had it; and over the whole wait.
        results.append({
            "state": change["state"],
            "delivered": len(got),
            "missed": connected - len(got),
            "latency_ms": summary_ms(latencies),
            "latency_p99_s": round(percentile(latencies, 99), 3) if latencies else None,
            "cpu_cores_over_wait": round((change["cpu_after"] - change["cpu_before"]) / CHANGE_WAIT_S, 3),
            "delivery_span_s": round(last, 3),
        })  # fmt: skip
    return {
        "readers": READERS,
        "connected": connected,
        "failed_connects": failed,
        "failure_samples": sorted(set(reasons))[:5],
        "closed_early": closed - failed,
        "connect_s": round(connect_s, 1),
        "web_rss_mb_connected": round(rss_connected / 2**20),
        "web_cpu_cores_idle": round(idle_cores, 3),
        "changes": results,
    }


def fill_results(check: Check) -> int:
    start = datetime.now(UTC) - timedelta(days=365)
    batch = []
    for minute in range(EXPORT_ROWS):
        at = start + timedelta(minutes=minute)
        batch.append(CheckResult(host_check=check, host_id=check.host_id, scheduled_at=at, started_at=at,
                                 status="up" if minute % 500 else "down", latency_ms=2.5,
                                 error="" if minute % 500 else "connection refused"))  # fmt: skip
        if len(batch) == 10_000:
            CheckResult.objects.bulk_create(batch)
            batch = []
    CheckResult.objects.bulk_create(batch)
    return EXPORT_ROWS


def export_bench(web: psutil.Process, port: int, check: Check) -> dict:
    user = get_user_model().objects.create_superuser("exporter", password="unused-password-1")
    token = ApiToken(user=user, name="bench")
    secret = token.generate()
    token.save()
    fill_results(check)
    rss_before = web.memory_info().rss
    peak = [rss_before]
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            peak[0] = max(peak[0], web.memory_info().rss)
            time.sleep(0.05)

    sampler = threading.Thread(target=sample)
    sampler.start()
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/api/results/?host={check.host_id}&format=csv",
        headers={"Authorization": f"Bearer {secret}"},
    )
    began = time.time()
    size = lines = 0
    with urllib.request.urlopen(request, timeout=600) as response:
        while chunk := response.read(1 << 16):
            size += len(chunk)
            lines += chunk.count(b"\n")
    seconds = time.time() - began
    done.set()
    sampler.join()
    return {
        "rows": lines - 1,
        "megabytes": round(size / 2**20, 1),
        "seconds": round(seconds, 1),
        "web_rss_mb_before": round(rss_before / 2**20),
        "web_rss_mb_peak": round(peak[0] / 2**20),
    }


def main() -> None:
    call_command("migrate", verbosity=0)
    _, check = fill_page()
    port = free_port()
    results = {**run_facts()}
    with processes.daphne(port) as daphne:
        web = psutil.Process(daphne.pid)
        urllib.request.urlopen(f"http://127.0.0.1:{port}/status/public/", timeout=30).read()  # built once
        results["status_readers"] = readers_bench(web, port, check)
        print(json.dumps(results["status_readers"], indent=1), flush=True)
        results["csv_export"] = export_bench(web, port, check)
        print(json.dumps(results["csv_export"], indent=1), flush=True)
    save_results("status", results)


if __name__ == "__main__":
    main()
