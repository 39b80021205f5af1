"""Benchmark of alert evaluation and delivery (`make bench-alerts`). Not part of the test suite.

1. Evaluation: 1,000 rules (every agent metric, all four comparisons, scopes "all",
   one host and a tag) against one sample from each of 50 hosts, 1,000 rounds of
   randomly moving readings. Reports the time of one round (all 50 hosts).
2. Alert to browser: 200 transitions (firing, resolved, ...) of a rule with 10
   recipients, each with a WebSocket on /ws/alerts/ through daphne. Latency runs
   from the evaluation that found the transition (the event's time) to the moment a
   browser socket has the frame: saving the event, the commit, publishing and
   delivery.
"""

import asyncio
import json
import os
import random
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.environment import prepare  # noqa: E402

WORKDIR = prepare("bench-alerts")

import websockets  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402

from alerts.evaluator import Evaluator  # noqa: E402
from alerts.models import AlertRule  # noqa: E402
from bench.common import free_port, run_facts, save_results, session_cookie, summary_ms  # noqa: E402
from core.contracts.metrics import AGENT_ALERT_METRICS  # noqa: E402
from monitor.models import Host, Tag  # noqa: E402
from tests import processes  # noqa: E402

RULES = 1000
HOSTS = 50
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "1000"))
TRANSITIONS = int(os.environ.get("BENCH_TRANSITIONS", "200"))
RECIPIENTS = 10
RANGES = {"cpu_percent": 100, "mem_percent": 100, "disk_percent": 100, "iface_errors_ps": 50,
          "iface_drops_ps": 50, "throughput_bps": 1e9}  # fmt: skip


def make_rules(rng: random.Random) -> None:
    tag = Tag.objects.create(name="bench")
    hosts = Host.objects.bulk_create(Host(name=f"host-{i:02d}", address="127.0.0.1") for i in range(HOSTS))
    for host in hosts[: HOSTS // 2]:
        host.tags.add(tag)
    rules = []
    for i in range(RULES):
        metric = rng.choice(sorted(RANGES))
        comparison = rng.choice([">", ">=", "<", "<="])
        # Thresholds near the edges: most readings breach few rules, as in real use.
        edge = rng.uniform(0.9, 1.0) if comparison.startswith(">") else rng.uniform(0.0, 0.1)
        scope = rng.choice(["all"] * 6 + ["host", "tag"])
        rules.append(AlertRule(
            name=f"rule {i}", metric=metric, comparison=comparison, threshold=edge * RANGES[metric],
            for_seconds=rng.choice([0, 30, 60]), scope=scope,
            host=rng.choice(hosts) if scope == "host" else None, tag=tag if scope == "tag" else None,
        ))  # fmt: skip
    AlertRule.objects.bulk_create(rules)


def evaluation_rounds(rng: random.Random) -> dict:
    evaluator = Evaluator(AGENT_ALERT_METRICS)
    evaluator.load(time.time())
    values = {f"agent:host-{i:02d}": {m: rng.uniform(0.3, 0.7) * r for m, r in RANGES.items()} for i in range(HOSTS)}
    durations, transitions = [], 0
    for n in range(ROUNDS):
        for readings in values.values():  # a random walk, now and then across a threshold
            for metric, span in RANGES.items():
                readings[metric] = min(span * 1.05, max(0.0, readings[metric] + rng.gauss(0, 0.03) * span))
        batch = {subject: (subject, dict(readings)) for subject, readings in values.items()}
        started = time.perf_counter()
        transitions += len(evaluator.evaluate(batch, 1_000_000.0 + n))
        durations.append(time.perf_counter() - started)
    return {"rules": RULES, "hosts": HOSTS, "rounds": ROUNDS, "round_ms": summary_ms(durations),
            "transitions": transitions}  # fmt: skip


def listen(url: str, cookies: list[str], origin: str, latencies: list, ready: threading.Event, stop: threading.Event):
    async def one(cookie: str, opened: asyncio.Event) -> None:
        async with websockets.connect(url, additional_headers={"Cookie": cookie, "Origin": origin}) as ws:
            await ws.recv()  # the open alerts
            opened.set()
            while not stop.is_set():
                try:
                    text = await asyncio.wait_for(ws.recv(), timeout=0.5)
                except TimeoutError:
                    continue
                received = time.time()
                frame = json.loads(text)
                if frame.get("type") == "alert" and frame["event"] in ("firing", "resolved"):
                    latencies.append(received - frame["alert"]["since"])

    async def run() -> None:
        events = [asyncio.Event() for _ in cookies]
        tasks = [asyncio.create_task(one(cookie, event)) for cookie, event in zip(cookies, events, strict=True)]
        for event in events:
            await event.wait()
        ready.set()
        await asyncio.gather(*tasks)

    asyncio.run(run())


def delivery(port: int) -> dict:
    users = [get_user_model().objects.create_user(f"oncall{i}") for i in range(RECIPIENTS)]
    rule = AlertRule.objects.create(name="latency probe", metric="cpu_percent", comparison=">", threshold=90)
    rule.recipients.set(users)
    latencies: list[float] = []
    ready, stop = threading.Event(), threading.Event()
    args = (f"ws://127.0.0.1:{port}/ws/alerts/", [session_cookie(u) for u in users], f"http://127.0.0.1:{port}")
    thread = threading.Thread(target=listen, args=(*args, latencies, ready, stop), daemon=True)
    thread.start()
    assert ready.wait(30), "alert sockets did not open"
    evaluator = Evaluator(frozenset({"cpu_percent"}))
    for n in range(TRANSITIONS):
        value = 99.0 if n % 2 == 0 else 10.0
        evaluator.evaluate_and_record({"agent:probe": ("probe", {"cpu_percent": value})})
        time.sleep(0.05)
    deadline = time.monotonic() + 10
    while len(latencies) < TRANSITIONS * RECIPIENTS and time.monotonic() < deadline:
        time.sleep(0.05)
    stop.set()
    thread.join(5)
    return {"transitions": TRANSITIONS, "recipients": RECIPIENTS, "frames_expected": TRANSITIONS * RECIPIENTS,
            "frames": len(latencies), "alert_to_browser_ms": summary_ms(latencies)}  # fmt: skip


def main() -> None:
    call_command("migrate", verbosity=0)
    rng = random.Random(42)
    make_rules(rng)
    print(f"evaluation: {RULES} rules x {HOSTS} hosts, {ROUNDS} rounds ...", flush=True)
    evaluation = evaluation_rounds(rng)
    print(json.dumps(evaluation), flush=True)
    AlertRule.objects.all().delete()
    port = free_port()
    print(f"alert to browser: {TRANSITIONS} transitions to {RECIPIENTS} users ...", flush=True)
    with processes.daphne(port):
        deliveries = delivery(port)
    print(json.dumps(deliveries), flush=True)
    save_results("alerts", {**run_facts(), "evaluation": evaluation, "delivery": deliveries})


if __name__ == "__main__":
    main()
