"""How long the minute rollup of many devices' port series takes, through the last hour of a day.

BENCH_DEVICES (1,000) switches of 48 ports, 6 series a port (288,000 series), get one
value a series a minute, written a device at a time as the checks worker writes them;
after each minute `rollup.roll_up` runs and its seconds are printed. Before the timed
hour, BENCH_PREFILL_HOURS (23) hours of that day's minutes are in the minute tier already,
as the rollup leaves them, so the hour timed is a day's last: where a rollup whose cost
grows through the day is slowest. Minutes 1, 30 and 59 and the hour's close (minute 60,
which also begins rolling the hour up, and the next hour's runs that go on with it until
the hour is rolled up for every series: rollup.CLOSE_SERIES a run) are reported apart.

    python bench/port_rollup.py [sqlite|postgres] [minutes]
"""

import json
import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.environment import fresh_postgres, prepare

DATABASE = sys.argv[1] if len(sys.argv) > 1 else "sqlite"
MINUTES = int(sys.argv[2]) if len(sys.argv) > 2 else 60
prepare("port-rollup", fresh_postgres("rollup") if DATABASE == "postgres" else None)

import numpy as np  # noqa: E402
from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import transaction  # noqa: E402

from bench.common import run_facts, save_results  # noqa: E402
from stats.history import blocks, rollup, sql  # noqa: E402
from stats.history.ingest import store  # noqa: E402
from stats.models import MinuteBlock, RollupCursor, Series  # noqa: E402

DEVICES = int(os.environ.get("BENCH_DEVICES", "1000"))
PREFILL_HOURS = int(os.environ.get("BENCH_PREFILL_HOURS", "23"))
METRICS = ["port.up", "port.in_bps", "port.out_bps", "port.utilisation_pct", "port.errors_ps", "port.discards_ps"]
TIMED = (1, 30, 59, 60)


def write_minute(rng: random.Random, first: int, minute: int) -> None:
    for device in range(DEVICES):
        ts = first + minute * 60 + device % 60
        store(
            (f"device:{device}", metric, f"Gi1/0/{port}", ts, rng.random() * 1e6)
            for port in range(48)
            for metric in METRICS
        )


def prefill(first: int) -> None:
    """The day's earlier hours of minutes, one block per series and hour; the cursors at `first`."""
    ids = list(Series.objects.values_list("pk", flat=True))
    minutes = np.arange(60, dtype=np.int64) * 60
    for hour in range(first - PREFILL_HOURS * 3600, first, 3600):
        ones = np.ones(60)
        block = blocks.encode_summaries(
            hour,
            blocks.Summaries(
                hour + minutes, ones.astype(np.float32), ones, ones.astype(np.float32), ones.astype(np.int64)
            ),
        )
        with transaction.atomic():
            sql.upsert(MinuteBlock, [(series, hour, block) for series in ids])
    for tier in ("minute", "hour"):
        RollupCursor.objects.update_or_create(tier=tier, defaults={"done_until": first})


def main() -> None:
    call_command("migrate", verbosity=0)
    rng = random.Random(1)
    # The last hour of yesterday: the timed hour closes the day.
    first = (int(time.time()) // 86_400) * 86_400 - 3600
    write_minute(rng, first, 0)
    prefill(first)
    print(f"{Series.objects.count()} series, {PREFILL_HOURS} hours of minutes before the timed hour", flush=True)
    seconds = {}
    for minute in range(120):  # past MINUTES, on while the timed hour's close lasts (within the next hour)
        if minute >= MINUTES and (minute < 60 or RollupCursor.objects.get(tier="hour").done_until > first):
            break
        if minute:
            write_minute(rng, first, minute)
        started = time.perf_counter()
        # As beat's run after the minute: its values flushed (SAMPLE_PERSIST_EVERY) and the rollup's margin.
        written = rollup.roll_up(first + (minute + 1) * 60 + settings.SAMPLE_PERSIST_EVERY + 21)
        seconds[minute + 1] = round(time.perf_counter() - started, 2)
        print(f"minute {minute + 1}: rollup {seconds[minute + 1]} s, {written}", flush=True)
    results = {
        **run_facts(), "database": DATABASE, "series": Series.objects.count(), "prefill_hours": PREFILL_HOURS,
        "timed_s": {str(m): seconds[m] for m in TIMED if m in seconds}, "rollup_s": list(seconds.values()),
        "close_s": [seconds[m] for m in seconds if m >= 60], "close_series_a_run": rollup.CLOSE_SERIES,
    }  # fmt: skip
    print(json.dumps(results, indent=1))
    save_results(f"port-rollup-{DATABASE}", results)


if __name__ == "__main__":
    main()
