"""Anonymous readers of one status page, for bench/status_pages.py: one process holds a share of them.

Opens COUNT sockets to URL at RATE per second; prints "connected <n>" once every socket
has its first document. Then it records, for each document that names a new etag, the
reader and the time it arrived, and on "stop" (stdin) prints them as JSON with the
number of sockets that closed early.
"""

import asyncio
import json
import sys
import time

from websockets.asyncio.client import connect


async def reader(index: int, url: str, origin: str, greeted: asyncio.Semaphore, arrivals: list, failures: list):
    try:
        async with connect(url, additional_headers={"Origin": origin}, max_size=2**22, open_timeout=120) as socket:
            first = True
            async for message in socket:
                received = time.time()
                document = json.loads(message)
                if first:
                    greeted.release()
                    first = False
                arrivals.append((index, document.get("etag"), document.get("state"), received))
    except Exception as error:  # counted, not raised: the benchmark reports failed readers
        failures.append(f"{type(error).__name__}: {error}")
        greeted.release()


async def main(url: str, origin: str, count: int, rate: float, first_index: int) -> None:
    greeted = asyncio.Semaphore(0)
    arrivals: list = []
    failures: list = []
    tasks = []
    for index in range(count):
        tasks.append(asyncio.create_task(reader(first_index + index, url, origin, greeted, arrivals, failures)))
        await asyncio.sleep(1 / rate)
    for _ in range(count):
        await greeted.acquire()
    print(f"connected {count - len(failures)}", flush=True)
    loop = asyncio.get_running_loop()
    await loop.run_in_executor(None, sys.stdin.readline)  # "stop"
    closed = sum(task.done() for task in tasks)
    for task in tasks:
        task.cancel()
    print(json.dumps({"arrivals": arrivals, "failures": failures[:20], "failed": len(failures), "closed": closed}))


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4]), int(sys.argv[5])))
