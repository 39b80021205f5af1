"""A soak of every part at once (`python bench/soak.py`, `make bench-soak`). Not part of the test suite.

For BENCH_WINDOW seconds (600) after a warm-up, on this machine alone:
- BENCH_DASHBOARDS (1,000) dashboards on `manage.py serve` (one web process per core),
  fed by a real agent at 1 Hz through the ingest: latency p99 per minute, frames lost;
- BENCH_CHAT_USERS (50) operators in one chat room, one message a second each: messages
  lost or doubled, latency;
- BENCH_HOSTS (2,000) TCP checks every 30 s (beat, dispatcher, checks and housekeeping
  workers) against listening ports on loopback: results recorded, slots missed;
- the resident memory of every server process (and of its Redis), sampled every 10 s:
  growth from the end of the warm-up to the end.
A private Redis and a throwaway SQLite database (BENCH_DATABASE=postgres: a fresh
database on POSTGRES_TEST_URL's server).
"""

import json
import os
import statistics
import subprocess
import sys
import time
from collections import Counter, defaultdict
from contextlib import ExitStack
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.servers import private_redis  # noqa: E402  (no Django needed)

DASHBOARDS = int(os.environ.get("BENCH_DASHBOARDS", "1000"))
CHAT_USERS = int(os.environ.get("BENCH_CHAT_USERS", "50"))
HOSTS = int(os.environ.get("BENCH_HOSTS", "2000"))
WINDOW_S = int(os.environ.get("BENCH_WINDOW", "600"))
WARMUP_S = float(os.environ.get("BENCH_WARMUP", "60"))  # a first, unphased round of checks settles
WEB_PROCESSES = int(os.environ.get("BENCH_WEB_PROCESSES", str(os.cpu_count() or 1)))
CHECK_INTERVAL_S = 30
MEMORY_EVERY_S = 10


def chat_users(count: int, workdir: Path) -> Path:
    """`count` operators; their session cookies, one a line, in a file for bench/chat_clients.py."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from accounts import roles
    from bench.common import session_cookie

    operators = Group.objects.get(name=roles.OPERATOR)
    cookies = []
    for n in range(count):
        user = get_user_model().objects.create_user(f"soak-{n:03d}")
        user.groups.add(operators)
        cookies.append(session_cookie(user))
    path = workdir / "cookies.txt"
    path.write_text("\n".join(cookies))
    return path


def start_chat(port: int, cookies: Path, count: int, seconds: int) -> list[subprocess.Popen]:
    url = f"ws://127.0.0.1:{port}/ws/chat/soak/"
    shares, clients = 2, []
    for share in range(shares):
        first, size = share * (count // shares), count // shares + (count % shares if share == shares - 1 else 0)
        command = [sys.executable, str(ROOT / "bench" / "chat_clients.py"), url, str(cookies),
                   f"http://127.0.0.1:{port}", str(first), str(size), str(seconds), str(count)]  # fmt: skip
        clients.append(subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True))
    for client in clients:
        assert client.stdout.readline().strip() == "connected"
    return clients


def chat_report(clients: list[subprocess.Popen], users: int) -> dict:
    from bench.common import summary_ms

    sent, received, latencies, errors = set(), Counter(), [], 0
    failed_attempts, never_connected, failure_reasons = 0, 0, Counter()
    for client in clients:
        report = json.loads(client.stdout.readline())
        sent |= {tuple(m) for m in report["sent"]}
        for u, n, count in report["received"]:
            received[(u, n)] += count
        latencies += [ms / 1000 for ms in report["latencies_ms"]]
        errors += report["error_count"]
        failed_attempts += report["failed_attempts"]
        never_connected += report["failed_users"]
        failure_reasons.update(report["failure_reasons"])
        client.wait(30)
    # Every user receives every message once, its sender's own included.
    expected = len(sent) * users
    return {
        "messages_sent": len(sent),
        "deliveries_expected": expected,
        "deliveries_lost": sum(max(0, users - received[m]) for m in sent),
        "deliveries_doubled": sum(max(0, c - users) for c in received.values()),
        "errors": errors,
        # Handshakes refused or closed before the history, each tried again a second later.
        "failed_connect_attempts": failed_attempts,
        "users_never_connected": never_connected,
        "connect_failures": dict(failure_reasons),
        "latency_ms": summary_ms(latencies),
    }


class Memory:
    """Resident memory of named processes (with their children), sampled over time."""

    def __init__(self) -> None:
        self.processes: dict[str, psutil.Process] = {}
        self.samples: dict[str, list[tuple[float, int]]] = defaultdict(list)

    def watch(self, name: str, pid: int) -> None:
        self.processes[name] = psutil.Process(pid)

    def sample(self, now: float) -> None:
        for name, process in self.processes.items():
            try:
                family = [process, *process.children(recursive=True)]
                self.samples[name].append((now, sum(p.memory_info().rss for p in family)))
            except psutil.Error:
                pass

    def growth(self, warm: float, end: float) -> dict:
        """Per process: median RSS (MiB) over the minute after `warm` and the minute before `end`, and the
        change; and the median of each minute from the start (a step that stays is a working set, a
        slope that goes on is a leak)."""
        report = {}
        for name, samples in self.samples.items():
            first = [rss for at, rss in samples if warm <= at < warm + 60]
            last = [rss for at, rss in samples if end - 60 <= at <= end]
            if first and last:
                before, after = statistics.median(first), statistics.median(last)
                start = samples[0][0]
                minutes: dict[int, list[int]] = defaultdict(list)
                for at, rss in samples:
                    minutes[int((at - start) // 60)].append(rss)
                report[name] = {"warm_mib": round(before / 2**20, 1), "end_mib": round(after / 2**20, 1),
                                "growth_pct": round(100 * (after - before) / before, 2),
                                "per_minute_mib": [round(statistics.median(minutes[m]) / 2**20, 1)
                                                   for m in sorted(minutes)]}  # fmt: skip
        return report


def per_minute(records: list) -> list[dict]:
    """Dashboard latency p50/p99 for each minute of the window (by the agent's sequence, one a second)."""
    from bench.common import summary_ms

    if not records:
        return []
    first = min(seq for _, seq, _ in records)
    minutes: dict[int, list[float]] = defaultdict(list)
    for _, seq, latency in records:
        minutes[(seq - first) // 60].append(latency)
    return [{"minute": m + 1, **summary_ms(minutes[m])} for m in sorted(minutes)]


def checks_report(window: tuple[float, float]) -> dict:
    from datetime import UTC, datetime

    from monitor.models import CheckResult, ResultStatus

    start, end = (datetime.fromtimestamp(t, UTC) for t in window)
    in_window = CheckResult.objects.filter(scheduled_at__gte=start, scheduled_at__lt=end)
    statuses = Counter(in_window.values_list("status", flat=True))
    return {
        "slots_expected": round(HOSTS * (window[1] - window[0]) / CHECK_INTERVAL_S),
        "results": dict(statuses),
        "missed": statuses.get(ResultStatus.MISSED, 0),
    }


def main() -> None:
    from bench.environment import fresh_postgres, prepare

    with private_redis() as redis, ExitStack() as stack:
        os.environ["REDIS_URL"] = redis.url  # this process and every one it starts
        database = fresh_postgres("soak") if os.environ.get("BENCH_DATABASE") == "postgres" else None
        workdir = prepare("soak", database)
        from django.core.management import call_command

        from bench.check_targets import Targets, create_hosts
        from bench.common import dashboard_session, free_port, run_facts, save_results, summary_ms
        from bench.dashboards import lost_frames, start_clients, start_window, stop_clients
        from tests import processes

        call_command("migrate", verbosity=0)
        targets = Targets(HOSTS)
        stack.callback(targets.stop)
        create_hosts(targets.ports, CHECK_INTERVAL_S)
        cookies, cookie, port = chat_users(CHAT_USERS, workdir), dashboard_session(), free_port()
        agent = processes.agent_name("soak")
        processes.register(agent)
        memory = Memory()
        memory.watch("redis", redis.process.pid)
        started = {
            "web": processes.serve(port, WEB_PROCESSES),
            "ingest": processes.ingest(),
            "agent": processes.agent(agent),
            "beat": processes.beat(workdir),
            "dispatcher": processes.tasks_worker("soak-dispatcher"),
            "checks": processes.checks_worker("soak-checks"),
            "housekeeping": processes.housekeeping_worker("soak-housekeeping"),
        }
        for name, process in started.items():
            memory.watch(name, stack.enter_context(process).pid)
        load = f"{DASHBOARDS} dashboards, {CHAT_USERS} chat users, {HOSTS} checks every {CHECK_INTERVAL_S} s"
        print(load, flush=True)
        readers, failed = start_clients(port, [cookie], agent, DASHBOARDS, "paced")
        chat = start_chat(port, cookies, CHAT_USERS, WINDOW_S)
        warm_until = time.time() + WARMUP_S
        while time.time() < warm_until:
            memory.sample(time.time())
            time.sleep(MEMORY_EVERY_S)
        window = (time.time(), time.time() + WINDOW_S)
        first_seq = start_window(readers, agent)
        for client in chat:
            client.stdin.write(f"{window[0] + 1}\n")
            client.stdin.flush()
        print(f"window of {WINDOW_S} s from {time.strftime('%H:%M:%S')} UTC ...", flush=True)
        memory.sample(window[0])
        while time.time() < window[1]:
            time.sleep(min(MEMORY_EVERY_S, max(0.0, window[1] - time.time())))
            memory.sample(time.time())
        dashboards = stop_clients(readers, agent, first_seq)
        chatted = chat_report(chat, CHAT_USERS)
        checks = checks_report(window)
    records = dashboards["records"]
    lost, sockets_missing = lost_frames(records, DASHBOARDS, dashboards["window"])
    results = {
        **run_facts(),
        "web_processes": WEB_PROCESSES,
        "window_s": WINDOW_S,
        "dashboards": {
            "clients": DASHBOARDS,
            "failed_connects": failed + dashboards["without_first_frame"],
            "opened_without_frame": dashboards["without_first_frame"],
            "closed_early": dashboards["closed_early"],
            "frames_delivered": len(records),
            "frames_lost": lost,
            "sockets_missing_frames": sockets_missing,
            "latency_ms": summary_ms([latency for _, _, latency in records]),
            "per_minute_ms": per_minute(records),
        },
        "chat": chatted,
        "checks": checks,
        "memory": memory.growth(window[0], window[1]),
    }
    print(json.dumps({k: v for k, v in results.items() if k != "memory"}, indent=1))
    print(json.dumps(results["memory"], indent=1))
    save_results("soak", results)


if __name__ == "__main__":
    main()
