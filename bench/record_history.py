"""Record what `make bench-history` replays: this machine's real agent frames and check latencies.

    python bench/record_history.py [SECONDS] [OUTPUT]     # default 3600 s -> bench/data/recording.jsonl.gz

Once a second: one frame from the agent's own sampler (every collector, as an agent
sends it) and the time a TCP connect to the local Redis takes, as a TCP check measures
it. Real values compress as real values do; random ones would say nothing about that.
"""

import gzip
import json
import socket
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from netmon_agent.runtime import next_boundary
from netmon_agent.sampler import Sampler

DEFAULT_OUTPUT = Path(__file__).resolve().parent / "data" / "recording.jsonl.gz"
CHECK_TARGET = ("127.0.0.1", 6379)


def connect_ms() -> float | None:
    began = time.perf_counter()
    try:
        with socket.create_connection(CHECK_TARGET, timeout=2):
            return (time.perf_counter() - began) * 1000
    except OSError:
        return None


def main() -> None:
    seconds = int(sys.argv[1]) if len(sys.argv) > 1 else 3600
    output = Path(sys.argv[2]) if len(sys.argv) > 2 else DEFAULT_OUTPUT
    output.parent.mkdir(parents=True, exist_ok=True)
    sampler = Sampler("recorded")
    sampler.sample()  # the first sample has no rates yet
    with gzip.open(output, "wt", compresslevel=9) as out:
        for _ in range(seconds):
            time.sleep(max(0.0, next_boundary(time.time(), 1.0) - time.time()))
            frame = sampler.sample()
            out.write(json.dumps({"frame": frame, "tcp_ms": connect_ms()}, separators=(",", ":")) + "\n")
    print(f"{seconds} s recorded to {output}")


if __name__ == "__main__":
    main()
