"""Driving the dashboard clients (bench/ws_clients.py) from a benchmark: start, go, stop, count.

Import after django.setup() (bench.common needs settings).
"""

import json
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def start_clients(port: int, cookies: list[str], host: str, clients: int, pacing: str) -> tuple[list, int]:
    """`clients` dashboards in two processes (one Python loop would be the bottleneck), signed in
    with `cookies` in turn (one cookie: every dashboard in the same browser session).

    Returns the processes and how many sockets failed to open.
    """
    shares = 1 if clients == 1 else 2
    per_share = [clients // shares + (1 if i < clients % shares else 0) for i in range(shares)]
    readers, first = [], 0
    for count in per_share:
        command = [sys.executable, str(ROOT / "bench" / "ws_clients.py"), f"ws://127.0.0.1:{port}/ws/stats/",
                   ",".join(cookies), f"http://127.0.0.1:{port}", host, str(count), str(first), pacing]  # fmt: skip
        readers.append(subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True))
        first += count
    failed = 0
    for reader in readers:
        word, _opened, failures = reader.stdout.readline().split()
        assert word == "connected", f"a client process said {word!r}"
        failed += int(failures)
    return readers, failed


def tell(readers: list, word: str) -> None:
    for reader in readers:
        reader.stdin.write(word + "\n")
        reader.stdin.flush()


def latest_seq(host: str) -> int:
    """The sequence number of `host`'s newest frame (the one the relay last passed on)."""
    from core.redis_io.redis_clients import sync_redis
    from stats.latest import latest_key

    return json.loads(sync_redis().hget(latest_key(), host))["seq"]


def start_window(readers: list, host: str) -> int:
    """Every client process records from now on; returns the window's first sequence number
    (the frame after the newest one sent so far)."""
    tell(readers, "record")
    for reader in readers:
        assert reader.stdout.readline().split() == ["recording"]
    return latest_seq(host) + 1


def stop_clients(readers: list, host: str, first: int) -> dict:
    """The window closes with the newest frame sent so far: each client process waits until
    its sockets have it (a frame late by more than the time between frames is still late,
    not lost), then reports the window's frames."""
    tell(readers, f"stop {first} {latest_seq(host)}")
    merged = {"records": [], "closed_early": 0, "failed_connects": [], "first_frame_s": [], "without_first_frame": 0,
              "window": None}  # fmt: skip
    for reader in readers:
        result = json.loads(reader.stdout.readline())
        merged["window"] = result.pop("window")  # the same for every process
        for key, value in result.items():
            merged[key] += value
        reader.wait(30)
    return merged


def wait_for_closes(user_id: int, seconds: float = 60) -> float:
    """Until the web processes have handled the close of every socket of `user_id` (its count of
    open sockets in Redis is 0): a level or a storm must not start while the server is still
    busy with the last one's thousands of closes. Returns the seconds waited."""
    from core.redis_io.redis_clients import sync_redis
    from core.sockets.open_sockets import sockets_key
    from tests.servers import wait_for

    started = time.monotonic()
    wait_for(lambda: sync_redis().zcard(sockets_key(user_id)) == 0, seconds, "every socket closed on the server")
    return round(time.monotonic() - started, 2)


def lost_frames(records: list, clients: int, window: list[int]) -> tuple[int, int]:
    """Frames of the window (first and last sequence number) that some dashboard did not get,
    and how many dashboards missed any.

    A socket that failed to open or closed early loses every frame of it.
    """
    first, last = window
    seqs_by_client: dict[int, set[int]] = {i: set() for i in range(clients)}
    for index, seq, _ in records:
        seqs_by_client[index].add(seq)
    expected = set(range(first, last + 1))
    missing = [len(expected - seqs) for seqs in seqs_by_client.values()]
    return sum(missing), sum(1 for count in missing if count)
