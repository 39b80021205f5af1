"""How long the minute rollup of many devices' port series takes. Not part of the test suite.

BENCH_DEVICES (1,000) switches of 48 ports, 6 series a port (288,000 series), get one
value a series a minute, written a device at a time as the checks worker writes them;
after each minute `rollup.roll_up` runs and its seconds are printed.

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
MINUTES = int(sys.argv[2]) if len(sys.argv) > 2 else 4
prepare("port-rollup", fresh_postgres("rollup") if DATABASE == "postgres" else None)

from django.core.management import call_command  # noqa: E402

from bench.common import run_facts, save_results  # noqa: E402
from stats.history import rollup  # noqa: E402
from stats.history.ingest import store  # noqa: E402

DEVICES = int(os.environ.get("BENCH_DEVICES", "1000"))
METRICS = ["port.up", "port.in_bps", "port.out_bps", "port.utilisation_pct", "port.errors_ps", "port.discards_ps"]


def main() -> None:
    call_command("migrate", verbosity=0)
    rng = random.Random(1)
    first = (int(time.time()) // 3600 - 3) * 3600 + 600  # inside an hour, in the past
    seconds = []
    for minute in range(MINUTES):
        for device in range(DEVICES):
            ts = first + minute * 60 + device % 60
            store(
                (f"device:{device}", metric, f"Gi1/0/{port}", ts, rng.random() * 1e6)
                for port in range(48)
                for metric in METRICS
            )
        started = time.perf_counter()
        written = rollup.roll_up(first + (minute + 1) * 60 + 90)
        seconds.append(round(time.perf_counter() - started, 2))
        print(f"minute {minute}: rollup {seconds[-1]} s, {written}", flush=True)
    results = {**run_facts(), "database": DATABASE, "series": DEVICES * 48 * len(METRICS), "rollup_s": seconds}
    print(json.dumps(results, indent=1))
    save_results("port-rollup", results)


if __name__ == "__main__":
    main()
