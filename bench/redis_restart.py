"""Time to recover from a Redis restart (`python bench/redis_restart.py`). Not part of the test suite.

A private Redis (no persistence) under `manage.py serve` (one web process per core),
the ingest and a real agent with its own Redis user; one dashboard socket. Five times:
Redis SIGKILLed, left down over a sampling tick, started again empty. Measured from the
moment Redis answers: until the page is told `{"type": "link", "live": true}`, and until
it has the agent's first frame sampled after the restart.
"""

import asyncio
import json
import math
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.environment import prepare  # noqa: E402

WORKDIR = prepare("redis-restart")

from django.core.management import call_command  # noqa: E402

from bench.common import dashboard_session, run_facts, save_results, summary_ms  # noqa: E402
from tests import processes  # noqa: E402
from tests.faults.pages import Page, link, live_from  # noqa: E402
from tests.servers import free_port, private_redis  # noqa: E402

REPETITIONS = int(os.environ.get("BENCH_REPETITIONS", "5"))
WEB_PROCESSES = int(os.environ.get("BENCH_WEB_PROCESSES", str(os.cpu_count() or 1)))


async def restarts(port: int, cookie: str, name: str, broker) -> list[dict]:
    page = Page(port, cookie)
    await page.open()
    await page.frame(live_from(name, time.time()), 30)
    measured = []
    for _ in range(REPETITIONS):
        broker.kill()
        killed = time.time()
        await page.frame(link(False), 10)
        told_down = time.time() - killed
        await asyncio.sleep(math.ceil(killed) + 1.5 - time.time())  # down over a sampling tick
        broker.start()
        answered = time.time()
        await page.frame(link(True), 30)
        linked = time.time() - answered
        await page.frame(live_from(name, answered), 30)
        measured.append({"told_down_s": told_down, "link_s": linked, "live_s": time.time() - answered})
        print(json.dumps(measured[-1]), flush=True)
        await asyncio.sleep(2)  # steady again before the next kill
    await page.ws.close()
    return measured


def main() -> None:
    call_command("migrate", verbosity=0)
    cookie, name, port = dashboard_session(), processes.agent_name("restart"), free_port()
    with private_redis() as broker:
        env = {"REDIS_URL": broker.url}
        agent_url = processes.add_agent(name, **env)
        with (
            processes.serve(port, WEB_PROCESSES, **env),
            processes.ingest(**env),
            processes.agent(name, redis_url=agent_url),
        ):
            measured = asyncio.run(restarts(port, cookie, name, broker))
    results = {**run_facts(), "web_processes": WEB_PROCESSES, "repetitions": measured}
    for key in ("told_down_s", "link_s", "live_s"):
        results[key.removesuffix("_s") + "_ms"] = summary_ms([m[key] for m in measured])
    print(json.dumps({k: v for k, v in results.items() if k.endswith("_ms")}, indent=1))
    save_results("redis-restart", results)


if __name__ == "__main__":
    main()
