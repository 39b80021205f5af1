"""The live path over one Redis server and over two (`make bench-channel-servers`). Not part of the test suite.

Runs `bench/stats_pipeline.py` twice, each time against Redis servers of its own on free
loopback ports: once with one server (REDIS_URL), once with a second one beside it for the
channel layer (CHANNEL_REDIS_URLS). Each run connects BENCH_CLIENTS dashboards (2,000) for
one round and opens one connect storm; beside the dashboards' latency this records each
server's CPU and the channels subscribed on it, which show how channels-redis spread the
live path's traffic.
"""

import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil
import redis

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import FIGURES, run_facts, save_results  # noqa: E402
from tests.servers import PrivateRedis, free_port  # noqa: E402

SERVER_COUNTS = [int(n) for n in os.environ.get("BENCH_CHANNEL_SERVERS", "1,2").split(",")]
CLIENTS = os.environ.get("BENCH_CLIENTS", "2000")


class Watched:
    """A private redis-server, its CPU time and the most channels subscribed on it during a run."""

    def __init__(self, directory: Path) -> None:
        directory.mkdir()
        self.server = PrivateRedis(free_port(), directory)
        self.server.start()
        self.process = psutil.Process(self.server.process.pid)
        self.client = redis.Redis(port=self.server.port)
        self.cpu_before = self.cpu()
        self.most_channels = 0

    def cpu(self) -> float:
        return sum(self.process.cpu_times()[:2])

    def sample(self) -> None:
        self.most_channels = max(self.most_channels, len(self.client.pubsub_channels()))

    def figures(self) -> dict:
        return {"cpu_s": round(self.cpu() - self.cpu_before, 2), "most_channels_subscribed": self.most_channels}


def one_run(count: int, workdir: Path) -> dict:
    servers = [Watched(workdir / f"redis-{count}-{n}") for n in range(count)]
    env = {**os.environ, "REDIS_URL": servers[0].server.url, "BENCH_CLIENTS": CLIENTS, "BENCH_ROUNDS": "1",
           "BENCH_STORMS": "1", "BENCH_RESULTS_NAME": f"channel-servers-{count}",
           "CHANNEL_REDIS_URLS": ",".join(s.server.url for s in servers[1:])}  # fmt: skip
    done = threading.Event()

    def watch() -> None:
        while not done.wait(1.0):
            for server in servers:
                server.sample()

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    started = time.monotonic()
    try:
        subprocess.run([sys.executable, str(ROOT / "bench" / "stats_pipeline.py")], env=env, cwd=ROOT, check=True)
        per_server = [server.figures() for server in servers]
        seconds = round(time.monotonic() - started, 1)
    finally:
        done.set()
        watcher.join()
        for server in servers:
            server.server.kill()
    pipeline = json.loads((FIGURES / f"channel-servers-{count}.json").read_text())
    (FIGURES / f"channel-servers-{count}.json").unlink()  # kept once, in channel-servers.json
    return {
        "servers": count,
        "seconds": seconds,
        "load_average": [round(load, 2) for load in os.getloadavg()],
        "fan_out": pipeline["fan_out"],
        "connect_storms": pipeline["connect_storms"],
        "per_server": per_server,
    }


def main() -> None:
    results = {**run_facts(), "runs": []}
    with tempfile.TemporaryDirectory(prefix="netmon-channel-servers-") as directory:
        for count in SERVER_COUNTS:
            print(f"== the live path over {count} Redis server(s)", flush=True)
            results["runs"].append(one_run(count, Path(directory)))
            print(json.dumps(results["runs"][-1]["per_server"]), flush=True)
    save_results("channel-servers", results)


if __name__ == "__main__":
    main()
