"""Discovery of BENCH_DEVICES (1,000) simulated devices on loopback, crawled from one seed.

    python bench/discovery.py      # BENCH_DEVICES to change

The devices (bench/discovery_farm.py, in a process of its own) each answer on an address of
their own and name their neighbours by LLDP, in a tree; the crawl starts at the first and
must find every one through the others (v2c, one community), then record them with the
policy "add": a host, an SNMP check and a device each, in a fresh SQLite database.
Goal: the whole discovery in at most 5 minutes. Then bench/dependencies.py times the
dependencies and the root-cause decision.
"""

import asyncio
import multiprocessing
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
WORKDIR = Path(tempfile.mkdtemp(prefix="netmon-bench-discovery-"))
os.environ.update(
    DATABASE_URL=f"sqlite:///{WORKDIR / 'bench.sqlite3'}", DJANGO_SETTINGS_MODULE="NetWorkMonitor.settings"
)

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.utils import timezone  # noqa: E402

from bench import discovery_farm  # noqa: E402
from bench.common import free_port, run_facts, save_results  # noqa: E402
from discovery import recording  # noqa: E402
from discovery.crawl import crawl, opener  # noqa: E402
from discovery.models import Plan  # noqa: E402
from monitor.models import Host  # noqa: E402
from netmon_probe.snmp.client import Credentials  # noqa: E402

DEVICES = int(os.environ.get("BENCH_DEVICES", "1000"))
GOAL_S = 300


def main() -> None:
    call_command("migrate", verbosity=0)
    port = free_port()
    ready, stop = multiprocessing.Event(), multiprocessing.Event()
    farm = multiprocessing.Process(target=discovery_farm.serve, args=(port, DEVICES, ready, stop), daemon=True)
    farm.start()
    assert ready.wait(60), "the simulated devices did not start"
    try:
        plan = Plan.objects.create(name="bench", seeds=discovery_farm.address(0), scope="127.77.0.0/16", policy="add")
        credential_set = plan.credential_sets.create(version="2c", community=discovery_farm.COMMUNITY.decode())
        credentials = Credentials("2c", community=credential_set.community)
        started = time.perf_counter()
        found = asyncio.run(crawl([discovery_farm.address(0)], [credentials], ["127.77.0.0/16"],
                                  open_session=opener(timeout_s=2.0, retries=1, port=port)))  # fmt: skip
        crawled = time.perf_counter()
        counts = recording.record(plan, found, {credentials: credential_set}, timezone.now())
        recorded = time.perf_counter()
    finally:
        stop.set()
        farm.join(10)
    results = {
        **run_facts(),
        "devices": DEVICES,
        "found": len(found.devices),
        "hosts_added": counts["added"],
        "hosts": Host.objects.count(),
        "crawl_s": round(crawled - started, 2),
        "record_s": round(recorded - crawled, 2),
        "total_s": round(recorded - started, 2),
        "goal_s": GOAL_S,
    }
    save_results("discovery", results)
    print(results)


if __name__ == "__main__":
    main()
