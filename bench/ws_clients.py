"""WebSocket dashboard clients for the stats benchmark: connect N, then record every frame.

Run by bench/stats_pipeline.py, one process per share of the clients. Prints
"connected" once every socket is open, then, after it reads "go" and until it
reads "stop" on stdin, records (client, seq, latency) for the benchmark agent's
frames and prints them as JSON.
"""

import asyncio
import json
import sys
import time

from websockets.asyncio.client import connect


async def client(index, url, headers, host, connected, recording, results):
    async with connect(url, additional_headers=headers, max_size=2**22, open_timeout=60) as socket:
        connected.release()
        async for message in socket:
            received = time.time()
            if not recording.is_set():
                continue
            frame = json.loads(message)
            if frame.get("host") == host:
                results.append((index, frame["seq"], received - frame["ts"]))


async def main(url: str, cookie: str, origin: str, host: str, count: int, first_index: int) -> None:
    headers = {"Cookie": cookie, "Origin": origin}
    connected = asyncio.Semaphore(0)
    recording = asyncio.Event()
    results: list = []
    tasks = []
    for i in range(count):
        tasks.append(asyncio.create_task(client(first_index + i, url, headers, host, connected, recording, results)))
        if i % 50 == 49:
            await asyncio.sleep(0.05)  # pace the handshakes a little, as real page loads are
    for _ in range(count):
        await connected.acquire()
    print("connected", flush=True)
    loop = asyncio.get_running_loop()
    await loop.run_in_executor(None, sys.stdin.readline)  # "go"
    recording.set()
    await loop.run_in_executor(None, sys.stdin.readline)  # "stop"
    recording.clear()
    failed = [task for task in tasks if task.done()]
    for task in tasks:
        task.cancel()
    print(json.dumps({"records": results, "closed_early": len(failed)}), flush=True)


if __name__ == "__main__":
    url, cookie, origin, host, count, first = sys.argv[1:7]
    asyncio.run(main(url, cookie, origin, host, int(count), int(first)))
