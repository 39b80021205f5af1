"""WebSocket dashboard clients for the stats benchmark: connect N, then record every frame.

Run by bench/stats_pipeline.py, one process per share of the clients. Prints
"connected <open> <failed>" once every socket has opened or failed (a handshake that
fails or takes over OPEN_TIMEOUT_S counts as failed, and is not waited for again), then,
after it reads "go" and until it reads "stop" on stdin, records (client, seq, latency)
for the benchmark agent's frames and prints them as JSON, with each socket's time from
starting to connect to its first frame.

`storm` as the last argument opens every socket at once; `paced` opens 50 every 50 ms,
as page loads arrive.
"""

import asyncio
import json
import sys
import time

from websockets.asyncio.client import connect
from websockets.exceptions import WebSocketException

OPEN_TIMEOUT_S = 10


async def client(index, url, headers, host, connected, recording, results, failures, first_frames):
    started = time.monotonic()
    try:
        socket = await connect(url, additional_headers=headers, max_size=2**22, open_timeout=OPEN_TIMEOUT_S)
    except (OSError, TimeoutError, WebSocketException) as error:
        failures.append(type(error).__name__)
        connected.release()
        return
    async with socket:
        connected.release()
        async for message in socket:
            received = time.time()
            if index not in first_frames:
                first_frames[index] = time.monotonic() - started
            if not recording.is_set():
                continue
            frame = json.loads(message)
            if frame.get("host") == host:
                results.append((index, frame["seq"], received - frame["ts"]))


async def main(url: str, cookie: str, origin: str, host: str, count: int, first_index: int, pacing: str) -> None:
    headers = {"Cookie": cookie, "Origin": origin}
    connected = asyncio.Semaphore(0)
    recording = asyncio.Event()
    results: list = []
    failures: list[str] = []
    first_frames: dict[int, float] = {}
    tasks = []
    for i in range(count):
        index = first_index + i
        tasks.append(
            asyncio.create_task(
                client(index, url, headers, host, connected, recording, results, failures, first_frames)
            )
        )
        if pacing == "paced" and i % 50 == 49:
            await asyncio.sleep(0.05)  # pace the handshakes a little, as real page loads are
    for _ in range(count):
        await connected.acquire()
    print(f"connected {count - len(failures)} {len(failures)}", flush=True)
    loop = asyncio.get_running_loop()
    await loop.run_in_executor(None, sys.stdin.readline)  # "go"
    recording.set()
    await loop.run_in_executor(None, sys.stdin.readline)  # "stop"
    recording.clear()
    closed_early = sum(1 for task in tasks if task.done()) - len(failures)
    for task in tasks:
        task.cancel()
    report = {
        "records": results,
        "closed_early": closed_early,
        "failed_connects": failures,
        "first_frame_s": sorted(first_frames.values()),
        "without_first_frame": count - len(failures) - len(first_frames),
    }
    print(json.dumps(report), flush=True)


if __name__ == "__main__":
    url, cookie, origin, host, count, first, pacing = sys.argv[1:8]
    asyncio.run(main(url, cookie, origin, host, int(count), int(first), pacing))
