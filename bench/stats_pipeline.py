"""Benchmark of the live stats pipeline (`make bench`). Not part of the test suite.

In one run on this machine it measures:
1. the cost of one full sample (every collector, plus encoding the frame);
2. the cost of sending one frame from the agent (XADD to its stream + lease renewal);
3. sample-to-WebSocket latency p50/p99, frames lost and frames delivered per second,
   with 500, 1,000 and 2,000 dashboards (three rounds) connected to `manage.py serve`
   (WEB_CONCURRENCY web processes: one per core) while a real agent samples at 1 Hz and
   the real ingest relays its frames; sockets that fail to connect are counted;
4. connect storms (three): 1,000 sockets opening at once, the time to each one's first frame,
   and the CPU the web processes and the clients spent on them.

Everything runs on loopback, against a throwaway SQLite database and its own Redis prefix.
"""

import json
import os
import sys
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.environment import prepare  # noqa: E402

WORKDIR = prepare("bench")

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402

from bench.common import dashboard_session, dashboard_sessions, free_port, run_facts, save_results, summary_ms  # noqa: E402
from bench.dashboards import lost_frames, start_clients, start_window, stop_clients, wait_for_closes  # noqa: E402
from core.redis_io.redis_clients import sync_redis  # noqa: E402
from netmon_agent.runtime import Agent, encode  # noqa: E402
from netmon_agent.sampler import Sampler  # noqa: E402
from tests import processes  # noqa: E402

CLIENT_COUNTS = [int(n) for n in os.environ.get("BENCH_CLIENTS", "500,1000,2000").split(",")]
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))
STORM_CLIENTS = int(os.environ.get("BENCH_STORM", "1000"))
STORMS = int(os.environ.get("BENCH_STORMS", "3"))
# Browser sessions the storm's sockets sign in with: by default each its own, as when a web
# process died and every page it served reconnects.
STORM_SESSIONS = int(os.environ.get("BENCH_STORM_SESSIONS", str(STORM_CLIENTS)))
# The default of WEB_CONCURRENCY: one web process per core.
WEB_PROCESSES = int(os.environ.get("BENCH_WEB_PROCESSES", str(os.cpu_count() or 1)))
SECONDS_PER_LEVEL = float(os.environ.get("BENCH_SECONDS", "30"))
SAMPLES = 1000
SETTLE_SECONDS = 3


def sample_cost() -> dict:
    sampler = Sampler("bench")
    sampler.sample()
    time.sleep(1)  # a realistic gap, so rates are computed as on a live agent
    costs = []
    for _ in range(SAMPLES):
        started = time.perf_counter()
        encode(sampler.sample())
        costs.append(time.perf_counter() - started)
    return summary_ms(costs) | {"frame_bytes": len(encode(sampler.sample()))}


def send_cost() -> dict:
    agent, text = Agent(sync_redis(), "bench-send", prefix=settings.REDIS_PREFIX), encode(Sampler("bench").sample())
    costs = []
    for _ in range(500):
        started = time.perf_counter()
        agent.unsent.append(text)
        agent.flush()
        costs.append(time.perf_counter() - started)
    return summary_ms(costs)


def fan_out(port: int, cookie: str, user_id: int, host: str, clients: int, web: list[psutil.Process]) -> dict:
    """Connect `clients` dashboards, record SECONDS_PER_LEVEL of frames, return latency, loss
    and the web processes' CPU per frame delivered."""
    readers, failed = start_clients(port, [cookie], host, clients, "paced")
    # Steady state is measured. Right after hundreds of sockets connect at once, the
    # pub/sub layer still reads their subscribe confirmations, and the next frame
    # waits behind them (~0.8 s for 500, once; see docs/benchmarks).
    time.sleep(SETTLE_SECONDS)
    first = start_window(readers, host)
    started, web_before = time.monotonic(), cpu_seconds(web)
    time.sleep(SECONDS_PER_LEVEL)
    result = stop_clients(readers, host, first)
    elapsed, web_cpu = time.monotonic() - started, cpu_seconds(web) - web_before
    lost, sockets_missing = lost_frames(result["records"], clients, result["window"])
    closes_s = wait_for_closes(user_id)
    records = result["records"]
    by_tick: dict[int, list[float]] = {}
    for _, seq, latency in records:
        by_tick.setdefault(seq, []).append(latency * 1000)
    if os.environ.get("BENCH_VERBOSE"):
        for seq in sorted(by_tick):
            ms = sorted(by_tick[seq])
            print(f"  tick {seq}: first {ms[0]:.1f} ms, median {ms[len(ms) // 2]:.1f} ms, last {ms[-1]:.1f} ms")
    return {
        "clients": clients,
        "latency_ms": summary_ms([latency for _, _, latency in records]),
        "ticks": len({seq for _, seq, _ in records}),
        "frames_delivered": len(records),
        "frames_per_second": round(len(records) / elapsed, 1),
        "web_cpu_us_per_frame": round(web_cpu / max(len(records), 1) * 1e6, 1),
        "frames_lost": lost,
        "sockets_missing_frames": sockets_missing,
        # A socket that opened but never had a frame (not even the snapshot) failed too.
        "failed_connects": failed + result["without_first_frame"],
        "opened_without_frame": result["without_first_frame"],
        "sockets_closed_early": result["closed_early"],
        "closes_handled_s": closes_s,
    }


def cpu_seconds(processes_: list[psutil.Process]) -> float:
    return sum(sum(p.cpu_times()[:2]) for p in processes_)


def connect_storm(
    port: int, cookies: list[str], user_id: int, host: str, clients: int, web: list[psutil.Process]
) -> dict:
    """`clients` sockets opened at once: how long each waits for its first frame (the latest one, on connect),
    and the CPU the web processes and the clients spent until every socket had opened."""
    web_before = cpu_seconds(web)
    readers, failed = start_clients(port, cookies, host, clients, "storm")
    cpu = {"web_s": round(cpu_seconds(web) - web_before, 2),
           "clients_s": round(cpu_seconds([psutil.Process(r.pid) for r in readers]), 2)}  # fmt: skip
    first = start_window(readers, host)
    result = stop_clients(readers, host, first)
    closes_s = wait_for_closes(user_id)
    firsts = result["first_frame_s"]
    return {
        "clients": clients,
        "sessions": len(cookies),
        "failed_connects": failed + result["without_first_frame"],
        "opened_without_frame": result["without_first_frame"],
        "first_frame_ms": summary_ms(firsts),
        "within_1_s": sum(1 for s in firsts if s <= 1.0),
        "cpu": cpu,
        "closes_handled_s": closes_s,
    }


def main() -> None:
    call_command("migrate", verbosity=0)
    print(f"sample cost (ms, n={SAMPLES}) ...", flush=True)
    results = {**run_facts(), "web_processes": WEB_PROCESSES,
               "sample_ms": sample_cost(), "send_ms": send_cost(), "fan_out": []}  # fmt: skip
    print(json.dumps({k: results[k] for k in ("sample_ms", "send_ms")}, indent=1), flush=True)
    port, cookie, host = free_port(), dashboard_session(), processes.agent_name("bench")
    user_id = get_user_model().objects.get(username="bench").pk  # the dashboards' user
    processes.register(host)
    with processes.serve(port, WEB_PROCESSES) as serve, processes.ingest(), processes.agent(host):
        web = psutil.Process(serve.pid).children()
        for round_ in range(1, ROUNDS + 1):
            for clients in CLIENT_COUNTS:
                print(f"round {round_}: {clients} dashboards, {SECONDS_PER_LEVEL:.0f} s ...", flush=True)
                level = {"round": round_, **fan_out(port, cookie, user_id, host, clients, web)}
                results["fan_out"].append(level)
                print(json.dumps(level), flush=True)
        results["connect_storms"] = []
        storm_cookies = dashboard_sessions(STORM_SESSIONS)
        for storm in range(1, STORMS + 1):
            print(f"connect storm {storm}: {STORM_CLIENTS} sockets at once ...", flush=True)
            results["connect_storms"].append(connect_storm(port, storm_cookies, user_id, host, STORM_CLIENTS, web))
            print(json.dumps(results["connect_storms"][-1]), flush=True)
    # bench/channel_servers.py runs this with a name of its own, so as not to replace these figures.
    save_results(os.environ.get("BENCH_RESULTS_NAME", "stats-pipeline"), results)


if __name__ == "__main__":
    main()
