"""The dashboard card's queries on history in VictoriaMetrics, beside bench/history.py's embedded store.

    python bench/history_store.py      # a private victoria-metrics on a free port, a throwaway SQLite

The same recorded values as bench/history.py (bench/data/recording.jsonl.gz, each of BENCH_HOSTS hosts
from an offset of its own, 38 series a host) go into a victoria-metrics started here with a data
folder of its own: the last BENCH_FULL_DAYS days at every second, the days before back to BENCH_DAYS
at one value every BENCH_COARSE_S seconds (the value of that second), as a second's values are too
many to import in reasonable time. They are written as the product writes (VictoriaMetrics' JSON-lines
import, the product's series names and labels), an hour of a host a request. Then the series API is
timed through the whole Django stack in-process with HISTORY_URL pointing at the store, with
bench/history.py's cases and rounds. The store runs with its answer cache off (as the embedded store
has none, and each query asks a slightly different range) and the flags the docs give.
"""

import json
import logging
import os
import shutil
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import environment

FULL_DAYS = int(os.environ.get("BENCH_FULL_DAYS", 1))
COARSE_S = int(os.environ.get("BENCH_COARSE_S", 30))
DAY = 86_400


def import_history(url: str, found, hosts: list[str], start: int, end: int) -> dict:
    """Every series of every host from start to end: every second after end - FULL_DAYS, else every COARSE_S."""
    import httpx
    import numpy as np

    from bench.history import series_keys
    from bench.recording import rotated
    from stats.history.prometheus import IMPORT_PATH, series_labels

    keys = series_keys(found, hosts)
    full_from = end - FULL_DAYS * DAY
    client = httpx.Client(timeout=120)
    began = time.perf_counter()
    values = requests = 0
    for hour in range(start, end, 3600):
        step = 1 if hour >= full_from else COARSE_S
        for host in sorted({source for source, _, _ in keys}):
            lines = []
            for (source, metric, label), (offset, recorded) in keys.items():
                if source != host:
                    continue
                seconds = np.arange(0, min(3600, end - hour), step)
                picked = rotated(recorded, offset + hour - start, min(3600, end - hour))[seconds]
                present = ~np.isnan(picked)
                stamps = (hour + seconds[present]) * 1000
                lines.append(json.dumps({"metric": series_labels(source, metric, label),
                    "values": picked[present].astype(float).tolist(), "timestamps": stamps.tolist()}))  # fmt: skip
                values += int(present.sum())
            client.post(url + IMPORT_PATH, content="\n".join(lines).encode()).raise_for_status()
            requests += 1
    seconds = time.perf_counter() - began
    return {"series": len(keys), "values": values, "requests": requests, "seconds": round(seconds, 1),
            "values_per_s": round(values / seconds)}  # fmt: skip


def data_bytes(folder: Path) -> int:
    return sum(path.stat().st_size for path in folder.rglob("*") if path.is_file())


def settle(url: str, folder: Path) -> int:
    """Bytes of the store's data folder once its newest values are on disk and it stopped growing."""
    import httpx

    httpx.get(f"{url}/internal/force_flush", timeout=60).raise_for_status()
    sizes = [data_bytes(folder)]
    while len(sizes) < 3 or sizes[-1] != sizes[-2]:  # in-memory parts go to disk within seconds
        time.sleep(5)
        sizes.append(data_bytes(folder))
        if len(sizes) > 24:
            break
    return sizes[-1]


def main() -> None:
    os.environ["API_RATE_USER"] = "1000000/min"  # the benchmark asks thousands of times a minute
    workdir = environment.prepare("history-store")
    logging.getLogger("httpx").setLevel(logging.WARNING)  # a line per request would be timed with it
    from django.conf import settings
    from django.core.management import call_command

    from bench import recording
    from bench.common import run_facts, save_results
    from bench.history import DAYS, HOSTS, queries
    from stats.models import Agent
    from tests.victoria_metrics import store

    call_command("migrate", verbosity=0)
    found = recording.load()
    hosts = [f"bench-host-{i:02d}" for i in range(HOSTS)]
    Agent.objects.bulk_create([Agent(name=host) for host in hosts])
    now = int(time.time()) // 3600 * 3600
    folder = workdir / "victoria-metrics"
    victoria = store(folder).start()
    try:
        print(f"victoria-metrics at {victoria.url}: importing {DAYS} days for {HOSTS} hosts "
              f"(the last {FULL_DAYS} at 1 s, before at {COARSE_S} s)", flush=True)  # fmt: skip
        imported = import_history(victoria.url, found, hosts, now - DAYS * DAY, now)
        print(f"  {imported}", flush=True)
        on_disk = settle(victoria.url, folder)
        density = {"data_bytes": on_disk, "bytes_per_value": round(on_disk / imported["values"], 3)}
        print(f"  on disk: {density}", flush=True)
        del found
        settings.HISTORY_URL = victoria.url
        print("queries (in-process, full Django stack, HISTORY_URL at the store):", flush=True)
        timed = queries(hosts, now)
    finally:
        victoria.stop()
    save_results("history-victoria-metrics", {
        **run_facts(), "load_average": os.getloadavg(), "store": "victoria-metrics", "hosts": HOSTS, "days": DAYS,
        "full_days": FULL_DAYS, "coarse_s": COARSE_S, "import": imported, "on_disk": density, "queries": timed,
    })  # fmt: skip
    shutil.rmtree(workdir)  # made by environment.prepare for this run alone


if __name__ == "__main__":
    main()
