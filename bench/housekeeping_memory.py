"""The housekeeping tasks' memory over simulated time (`python bench/housekeeping_memory.py`).

Not part of the test suite. In one process, without Celery, on a throwaway SQLite
database: the soak's series (BENCH_AGENT_SERIES of an agent every second and
BENCH_CHECKS checks' latency and state every 30 s, written in 10 s flushes through the
ingest's write path), the rollup after every simulated minute and pruning after every
tenth, for BENCH_MINUTES minutes starting 40 minutes into an hour. Prints the resident
memory every five simulated minutes: growth that goes on is a leak, growth that stops
is a working set.
"""

import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.environment import prepare

prepare("housekeeping")

import psutil  # noqa: E402
from django.core.management import call_command  # noqa: E402

from stats.history import retention, rollup  # noqa: E402
from stats.history.ingest import store  # noqa: E402

MINUTES = int(os.environ.get("BENCH_MINUTES", "100"))
AGENT_SERIES = int(os.environ.get("BENCH_AGENT_SERIES", "120"))
CHECKS = int(os.environ.get("BENCH_CHECKS", "2000"))
FLUSH_S = 10
# The minute is complete once agents flushed it: SAMPLE_PERSIST_EVERY plus the rollup's margin.
COMPLETE_AFTER_S = 40


def minute_of_samples(start: int) -> None:
    for flush_start in range(start, start + 60, FLUSH_S):
        samples = [
            ("bench-agent", f"metric{k}", "", flush_start + s, float(s + k))
            for k in range(AGENT_SERIES)
            for s in range(FLUSH_S)
        ]
        if (flush_start - start) % 30 == 0:  # the checks run every 30 s
            for check in range(1, CHECKS + 1):
                samples += [
                    (f"check:{check}", "check.latency_ms", "", flush_start, float(check % 50)),
                    (f"check:{check}", "check.up", "", flush_start, 1.0),
                ]
        store(samples)


def main() -> None:
    call_command("migrate", verbosity=0)
    process = psutil.Process()
    first = (int(time.time()) // 3600 - 2) * 3600 + 40 * 60
    for minute in range(MINUTES):
        start = first + minute * 60
        minute_of_samples(start)
        rollup.roll_up(start + 60 + COMPLETE_AFTER_S)
        if minute % 10 == 9:
            retention.prune(start + 60 + COMPLETE_AFTER_S)
        if minute % 5 == 4:
            rss = process.memory_info().rss / 2**20
            print(f"minute {minute + 1:4d} (of the hour: {(40 + minute + 1) % 60:2d}): {rss:7.1f} MiB", flush=True)


if __name__ == "__main__":
    main()
