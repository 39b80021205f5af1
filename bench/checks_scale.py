"""Benchmark of active checks at scale (`make bench-checks`). Not part of the test suite.

2,000 hosts, each with a TCP check every 30 s against its own listening port on
loopback, run by ONE checks worker process, dispatched by a real beat and worker.
After a warm-up, for a measured window (5 minutes by default) it reports:
- schedule lag: result start minus its claimed slot (p50/p99/max);
- missed slots: slots in the window without a result, and results without a connection;
- doubled runs: two connections to one target less than half an interval apart;
- result-to-dashboard latency: a WebSocket client's receipt of each host state minus
  the start of the check that produced it;
- dashboard first render: Chromium loads `/` and draws all 2,000 tiles (3 loads).

Everything runs on loopback, against a throwaway SQLite database and its own Redis prefix.
"""

import asyncio
import bisect
import itertools
import json
import os
import resource
import sys
import threading
import time
from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.environment import prepare  # noqa: E402

WORKDIR = prepare("bench-checks")

import websockets  # noqa: E402
from django.core.management import call_command  # noqa: E402
from playwright.sync_api import sync_playwright  # noqa: E402

from bench.check_targets import Targets, create_hosts  # noqa: E402
from bench.common import dashboard_session, free_port, run_facts, save_results, summary_ms  # noqa: E402
from dashboard.views import GRID_LIMIT  # noqa: E402
from monitor.models import Check, CheckResult  # noqa: E402
from monitor.scheduling import phase  # noqa: E402
from tests import processes  # noqa: E402

HOSTS = int(os.environ.get("BENCH_HOSTS", "2000"))
INTERVAL_S = 30
# At least 1.5 intervals: a check's first run is immediate and its next one joins its
# phase up to 1.5 intervals later; only then is every slot predictable.
WARMUP_S = float(os.environ.get("BENCH_WARMUP", "45"))
WINDOW_S = float(os.environ.get("BENCH_WINDOW", "300"))
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]  # fmt: skip


def listen_for_states(port: int, cookie: str, until: float, delays: list[float], window: tuple[float, float]) -> None:
    """A dashboard's WebSocket: how long after each check started did its host state arrive."""

    async def run() -> None:
        url = f"ws://127.0.0.1:{port}/ws/stats/"
        headers = {"Cookie": cookie, "Origin": f"http://127.0.0.1:{port}"}
        async with websockets.connect(url, additional_headers=headers, max_size=None) as ws:
            while time.time() < until:
                try:
                    text = await asyncio.wait_for(ws.recv(), timeout=max(0.1, until - time.time()))
                except TimeoutError:
                    break
                received = time.time()
                frame = json.loads(text)
                if frame.get("type") != "hosts":
                    continue
                for host in frame["hosts"]:
                    checked = datetime.fromisoformat(host["checked_at"]).timestamp()
                    if window[0] <= checked < window[1]:
                        delays.append(received - checked)

    asyncio.run(run())


def first_render(port: int, cookie: str) -> dict:
    """Milliseconds from navigation start until the grid's tiles are drawn (every host's, or the
    GRID_LIMIT most in need of attention where there are more), over 3 loads."""
    name, value = cookie.split("=", 1)
    times, html_ms = [], []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1600, "height": 1000})
        context.add_cookies([{"name": name, "value": value, "url": f"http://127.0.0.1:{port}"}])
        page = context.new_page()
        for _ in range(3):
            page.goto(f"http://127.0.0.1:{port}/", wait_until="commit")
            # A function, not a string: the page's CSP forbids evaluating strings.
            page.wait_for_function(
                "(count) => document.querySelectorAll('#hosts .tile').length >= count",
                arg=min(HOSTS, GRID_LIMIT),
                timeout=30_000,
            )
            times.append(page.evaluate("performance.now()"))
            html_ms.append(page.evaluate("performance.getEntriesByType('navigation')[0].responseEnd"))
        browser.close()
    return {"render_ms": [round(t, 1) for t in times], "html_received_ms": [round(t, 1) for t in html_ms]}


def analyse(window: tuple[float, float], accepted: dict[int, list[float]]) -> dict:
    start, end = (datetime.fromtimestamp(t, UTC) for t in window)
    rows = CheckResult.objects.filter(scheduled_at__gte=start, scheduled_at__lt=end).values_list(
        "host_check_id", "scheduled_at", "started_at", "status"
    )
    ports = {check.pk: check.port for check in Check.objects.all()}  # the port is one of the check's settings
    lags, seen, statuses = [], defaultdict(set), defaultdict(int)
    without_connection = 0
    for check_id, scheduled, started, status in rows:
        port = ports[check_id]
        lags.append((started - scheduled).total_seconds())
        seen[check_id].add(scheduled.timestamp())
        statuses[status] += 1
        times = accepted.get(port, [])
        i = bisect.bisect_left(times, started.timestamp() - 0.001)
        if i == len(times) or times[i] - started.timestamp() > 5:
            without_connection += 1
    missed = off_slot = 0
    for check_id in Check.objects.values_list("id", flat=True):
        offset = phase(check_id, INTERVAL_S)
        k = -(-(window[0] - offset) // INTERVAL_S)  # first slot at or after the window's start
        slots = [offset + (k + i) * INTERVAL_S for i in range(int(WINDOW_S // INTERVAL_S) + 1)]
        slots = [slot for slot in slots if slot < window[1]]
        # Stored times have microsecond precision; a slot is a float: match within 1 ms.
        missed += sum(1 for slot in slots if not any(abs(slot - t) < 0.001 for t in seen[check_id]))
        off_slot += sum(1 for t in seen[check_id] if not any(abs(slot - t) < 0.001 for slot in slots))
    doubled = 0
    for times in accepted.values():
        in_window = [t for t in times if window[0] <= t < window[1]]
        doubled += sum(1 for a, b in itertools.pairwise(in_window) if b - a < INTERVAL_S / 2)
    return {
        "results": len(lags),
        "statuses": dict(statuses),
        "schedule_lag_ms": summary_ms(lags),
        "missed_slots": missed,
        "results_off_their_slots": off_slot,
        "results_without_connection": without_connection,
        "doubled_runs": doubled,
    }


def main() -> None:
    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    call_command("migrate", verbosity=0)
    targets = Targets(HOSTS)
    create_hosts(targets.ports, INTERVAL_S)
    port, cookie = free_port(), dashboard_session()
    print(f"{HOSTS} hosts, TCP every {INTERVAL_S} s; warm-up {WARMUP_S:.0f} s, window {WINDOW_S:.0f} s", flush=True)
    delays: list[float] = []
    with (
        processes.daphne(port),
        processes.beat(WORKDIR),
        processes.tasks_worker("bench-dispatcher"),
        processes.housekeeping_worker("bench-housekeeping"),
        processes.checks_worker("bench-checks"),
    ):
        time.sleep(WARMUP_S)  # the first, unphased round of 2,000 checks settles
        window = (time.time(), time.time() + WINDOW_S)
        listener = threading.Thread(target=listen_for_states, args=(port, cookie, window[1] + 5, delays, window))
        listener.start()
        print("dashboard first render ...", flush=True)
        render = first_render(port, cookie)
        print(json.dumps(render), flush=True)
        listener.join(WINDOW_S + 60)
    targets.stop()
    results = {
        **run_facts(),
        "hosts": HOSTS,
        "interval_s": INTERVAL_S,
        "window_s": WINDOW_S,
        **analyse(window, targets.accepted),
        "result_to_dashboard_ms": summary_ms(delays),
        "dashboard": render,
    }
    print(json.dumps(results, indent=1))
    save_results("checks-scale", results)


if __name__ == "__main__":
    main()
