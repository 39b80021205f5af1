"""Benchmark of agents at scale (`make bench-agents`). Not part of the test suite.

1. 500 simulated agents (BENCH_AGENTS) stream at 1 Hz into one ingest process, then
   into as many as BENCH_INGESTS lists (e.g. "1,2,3", side by side; they share the agents),
   for BENCH_SECONDS: each is the real agent code (netmon_agent.runtime.Agent, XADD and
   lease renewal per frame) replaying a real frame of this machine with its own clock,
   many agents per process. Measured: history lag (frame time to its agent's row
   showing it written, polled every 100 ms) p50/p99, frames lost (sent minus written
   once the ingest caught up), and the ingest processes' CPU together.
   With BENCH_STORE=victoria-metrics, history goes to a private victoria-metrics
   (HISTORY_URL, bench/agents_store.py) instead of the embedded store: written frames are
   counted in it, and its own CPU is measured over the same window as the ingest's.
2. The real agent alone at 1 Hz for BENCH_CPU_SECONDS: its CPU as % of one core, and
   beside it Glances and Netdata sampling every second, when they are installed.
"""

import functools
import json
import logging
import os
import shutil
import subprocess
import sys
import time
from contextlib import ExitStack
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.environment import prepare  # noqa: E402

WORKDIR = prepare("agents")

import psutil  # noqa: E402
from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402

from bench import agents_store  # noqa: E402
from bench.common import run_facts, save_results, summary_ms  # noqa: E402
from core.redis_io.redis_clients import sync_redis  # noqa: E402
from NetWorkMonitor.processes import command as process_command  # noqa: E402
from stats import streams  # noqa: E402
from stats.history.blocks import decode_values  # noqa: E402
from stats.models import Agent, RawBlock, Series  # noqa: E402
from tests import processes  # noqa: E402

AGENTS = int(os.environ.get("BENCH_AGENTS", "500"))
SECONDS = float(os.environ.get("BENCH_SECONDS", "60"))
CPU_SECONDS = float(os.environ.get("BENCH_CPU_SECONDS", "60"))
INGESTS = [int(n) for n in os.environ.get("BENCH_INGESTS", "1").split(",")]
STORE = os.environ.get("BENCH_STORE", "embedded")
STORES = ("embedded", "victoria-metrics")
SENDER_PROCESSES = 4
WARMUP_S = 10
RESULTS = "agents" if STORE == "embedded" else f"agents-{STORE}"  # each store's figures a file of their own


def start_senders(names: list[str]) -> list[subprocess.Popen]:
    shares = [names[i::SENDER_PROCESSES] for i in range(SENDER_PROCESSES)]
    command = [sys.executable, "-m", "bench.agent_senders", settings.REDIS_URL, settings.REDIS_PREFIX,
               str(WARMUP_S + SECONDS)]  # fmt: skip
    return [subprocess.Popen([*command, *share], cwd=ROOT, stdout=subprocess.PIPE, text=True) for share in shares]


def frames_written(prefix: str) -> int:
    """Values of mem.percent in history: one per frame written."""
    ids = Series.objects.filter(metric="mem.percent", source__startswith=f"agent:{prefix}").values_list("id", flat=True)
    return sum(
        len(decode_values(start, data))
        for start, data in RawBlock.objects.filter(series_id__in=list(ids)).values_list("start", "data")
    )


def watch_lag(prefix: str, until: float, measure_from: float) -> list[float]:
    """History lag: when each new last_seen shows up, how long after the frame's own time."""
    seen: dict[str, float] = {}
    lags = []
    while time.time() < until:
        now = time.time()
        for name, last in Agent.objects.filter(name__startswith=prefix).values_list("name", "last_seen"):
            if last is None:
                continue
            ts = last.timestamp()
            if seen.get(name) != ts:
                seen[name] = ts
                if ts >= measure_from:
                    lags.append(now - ts)
        time.sleep(max(0.0, 0.1 - (time.time() - now)))
    return lags


def cpu_seconds(members: list[psutil.Process]) -> float:
    return sum(times.user + times.system for times in (member.cpu_times() for member in members))


def scale(ingests: int) -> dict:
    prefix = f"sim{ingests}-"  # each level its own agents: none of an earlier level's backlog
    names = [f"{prefix}{i:04d}" for i in range(AGENTS)]
    sync_redis().sadd(streams.registry_key(), *names)
    with ExitStack() as running:
        env, store, counted, values_of = {}, [], frames_written, None
        if STORE == "victoria-metrics":
            victoria = running.enter_context(agents_store.victoria_metrics(WORKDIR / f"victoria-metrics-{ingests}"))
            env["HISTORY_URL"] = victoria.url
            store = [psutil.Process(victoria.process.pid)]
            counted = functools.partial(agents_store.frames_written, victoria.url)
            values_of = functools.partial(agents_store.values_written, victoria.url)
        members = [psutil.Process(running.enter_context(processes.ingest(**env)).pid) for _ in range(ingests)]
        senders = start_senders(names)
        started = time.time()
        time.sleep(WARMUP_S)
        cpu_before, store_before = cpu_seconds(members), cpu_seconds(store)
        lags = watch_lag(prefix, started + WARMUP_S + SECONDS, measure_from=started + WARMUP_S)
        busy, store_busy = cpu_seconds(members) - cpu_before, cpu_seconds(store) - store_before
        sent = sum(int(sender.communicate(timeout=60)[0].split()[-1]) for sender in senders)
        deadline = time.time() + 60
        while (written := counted(prefix)) < sent and time.time() < deadline:
            time.sleep(0.5)
        values = values_of(prefix) if values_of else None
    sync_redis().srem(streams.registry_key(), *names)
    return {
        "ingests": ingests,
        "store": STORE,
        "agents": AGENTS,
        "seconds": SECONDS,
        "frames_sent": sent,
        "frames_written": written,
        "frames_lost": sent - written,
        "history_lag_ms": summary_ms(lags),
        "ingest_cpu_percent_of_one_core": round(100 * busy / SECONDS, 1),
        # What the measured CPU implies: agents one ingest core takes at 1 Hz.
        "agents_per_ingest_core": round(AGENTS / (busy / SECONDS)) if busy else None,
        **(store_costs(busy, store_busy, values / written if written else 0) if values is not None else {}),
    }


def store_costs(busy: float, store_busy: float, values_per_frame: float) -> dict:
    """The store's CPU over the ingest's window, and each one's CPU per value written in it."""
    values = AGENTS * SECONDS * values_per_frame  # the window's frames, each values_per_frame values
    per_value = {"ingest": busy, "store": store_busy, "ingest_and_store": busy + store_busy}
    return {
        "store_cpu_percent_of_one_core": round(100 * store_busy / SECONDS, 1),
        "ingest_and_store_cpu_percent_of_one_core": round(100 * (busy + store_busy) / SECONDS, 1),
        "values_per_frame": round(values_per_frame, 1),
        "cpu_us_per_value": {name: round(1e6 * cpu / values, 2) if values else None for name, cpu in per_value.items()},
    }


def cpu_percent(command: list[str], seconds: float, warmup: float = 5, **env) -> float | None:
    """CPU of a process tree as % of one core over `seconds`, after `warmup`."""
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env={**os.environ, **env})
    try:
        time.sleep(warmup)
        tree = psutil.Process(process.pid)

        def busy() -> float:
            total = 0.0
            for member in [tree, *tree.children(recursive=True)]:
                try:
                    times = member.cpu_times()
                    total += times.user + times.system
                except psutil.NoSuchProcess:
                    pass
            return total

        before = busy()
        time.sleep(seconds)
        return round(100 * (busy() - before) / seconds, 2)
    finally:
        process.terminate()
        process.wait(20)


def peers() -> dict:
    name = processes.agent_name("cpu")
    sync_redis().sadd(streams.registry_key(), name)
    agent = process_command("agent", "--name", name, "--prefix", settings.REDIS_PREFIX)
    results = {"agent": cpu_percent(agent, CPU_SECONDS, REDIS_URL=settings.REDIS_URL)}
    glances = os.environ.get("GLANCES") or shutil.which("glances")
    if glances:
        shown = "cpu.total,mem.percent,load,network,diskio,fs"
        results["glances"] = cpu_percent([glances, "--disable-check-update", "--stdout", shown, "-t", "1"], CPU_SECONDS)
    netdata = shutil.which("netdata") or ("/usr/sbin/netdata" if Path("/usr/sbin/netdata").exists() else None)
    if netdata:
        # Loopback only, no telemetry, no cloud: nothing leaves the machine.
        Path("/etc/netdata/.opt-out-from-anonymous-statistics").touch()
        options = ["-W", "set", "global", "update every", "1", "-W", "set", "web", "bind to", "127.0.0.1",
                   "-W", "set", "cloud", "enabled", "no"]  # fmt: skip
        quiet = {"DISABLE_TELEMETRY": "1", "DO_NOT_TRACK": "1"}
        results["netdata"] = cpu_percent([netdata, "-D", *options], CPU_SECONDS, **quiet)
    return results


def main() -> None:
    if STORE not in STORES:
        raise SystemExit(f"BENCH_STORE={STORE}: one of {', '.join(STORES)}")
    logging.getLogger("httpx").setLevel(logging.WARNING)  # not a line for each count asked of the store
    call_command("migrate", verbosity=0)
    results = {**run_facts(), "store": STORE, "load_average_before": os.getloadavg()}
    results["scale"] = []
    for ingests in INGESTS:
        print(f"{AGENTS} agents at 1 Hz into {ingests} ingest process(es), {STORE} history, for {SECONDS:.0f} s ...",
              flush=True)  # fmt: skip
        results["scale"].append(scale(ingests))
        print(json.dumps(results["scale"][-1]), flush=True)
    results["load_average_after"] = os.getloadavg()  # the machine's other work moves the figures
    if os.environ.get("BENCH_CPU_SECONDS") == "0":  # the peers' CPU left out
        save_results(RESULTS, results)
        return
    print(f"CPU at 1 Hz, {CPU_SECONDS:.0f} s each ...", flush=True)
    results["cpu_percent_of_one_core"] = peers()
    print(json.dumps(results["cpu_percent_of_one_core"]), flush=True)
    save_results(RESULTS, results)


if __name__ == "__main__":
    main()
