"""History in VictoriaMetrics for bench/agents.py (BENCH_STORE=victoria-metrics).

A private victoria-metrics (Debian's, tests.victoria_metrics.store: a free loopback port, a data
folder of its own, the flags the docs give) for each level of a run, so that no level's store
is still merging what the level before wrote while its CPU is measured. What was written is
counted in the store itself: the samples of mem.percent (one a frame) and all the values.
"""

import json
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from stats.history.metrics import agent_source
from stats.history.prometheus import metric_name
from tests.victoria_metrics import Process, flush, store

TIMEOUT_S = 60.0


@contextmanager
def victoria_metrics(folder: Path) -> Iterator[Process]:
    running = store(folder).start()
    try:
        yield running
    finally:
        running.stop()
        shutil.rmtree(folder, ignore_errors=True)  # made for this level alone


def _agents_of(prefix: str) -> str:
    """A PromQL label matcher for the sources of the agents named `prefix`…"""
    return f'source=~"{agent_source(prefix)}.*"'


def frames_written(url: str, prefix: str) -> int:
    """Samples of mem.percent of the agents named `prefix`…: one per frame written. Distinct
    timestamps are counted a series, as a batch written again is the same sample twice until
    the store's deduplication merged it."""
    flush(url)
    selector = f'{{__name__="{metric_name("mem.percent")}",{_agents_of(prefix)}}}'
    reply = httpx.get(f"{url}/api/v1/export", params={"match[]": selector}, timeout=TIMEOUT_S)
    reply.raise_for_status()
    lines = (json.loads(line) for line in reply.text.splitlines() if line.strip())
    return sum(len(set(series["timestamps"])) for series in lines)


def values_written(url: str, prefix: str) -> int:
    """Every value of the agents named `prefix`… in the store (deduplicated by the store's query)."""
    flush(url)
    query = f"sum(count_over_time({{{_agents_of(prefix)}}}[1d]))"
    reply = httpx.get(f"{url}/api/v1/query", params={"query": query}, timeout=TIMEOUT_S)
    reply.raise_for_status()
    result = reply.json()["data"]["result"]
    return int(float(result[0]["value"][1])) if result else 0
