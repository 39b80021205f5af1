"""Chat users for the chat benchmark: each joins the room, sends 1 message/s, records what arrives.

Run by bench/chat_room.py, one process per share of the users. Reads the users'
session cookies (one per line) from a file. Prints "connected" once every user has
its history, then after "go" on stdin each user sends SECONDS messages, one per
second (spread across the second by user), and everyone records every message
until DRAIN seconds after the last send. Prints one JSON summary.
"""

import asyncio
import json
import sys
import time
from collections import Counter
from pathlib import Path

from websockets.asyncio.client import connect

DRAIN_S = 5.0


async def user(index, url, cookie, origin, ready, go, seconds, share, received, latencies, sent, errors, done_at):
    headers = {"Cookie": cookie, "Origin": origin}
    async with connect(url, additional_headers=headers, max_size=2**22, open_timeout=60) as socket:

        async def send_all() -> None:
            await go.wait()
            start = go.started + (index % share) / share  # spread the users across each second
            for n in range(seconds):
                await asyncio.sleep(max(0.0, start + n - time.time()))
                body = json.dumps({"u": index, "n": n, "t": time.time()})
                await socket.send(json.dumps({"type": "message", "text": body}))
                sent.append((index, n))

        sender = None
        async for raw in socket:
            now = time.time()
            frame = json.loads(raw)
            kind = frame["type"]
            if kind == "history":
                ready.release()
                sender = asyncio.create_task(send_all())
            elif kind == "messages":
                for message in frame["messages"]:
                    body = json.loads(message["text"])
                    received[(body["u"], body["n"])] += 1
                    latencies.append(now - body["t"])
            elif kind == "error":
                errors.append(frame["message"])
            if done_at[0] and now > done_at[0]:
                break
        if sender is not None:
            sender.cancel()


async def main(url, cookies_file, origin, first, count, seconds, share) -> None:
    cookies = Path(cookies_file).read_text().split()[first : first + count]
    ready = asyncio.Semaphore(0)
    go = asyncio.Event()
    received: Counter = Counter()
    latencies: list[float] = []
    sent: list = []
    errors: list[str] = []
    done_at = [0.0]
    tasks = []
    for i, cookie in enumerate(cookies):
        args = (first + i, url, cookie, origin, ready, go, seconds, share, received, latencies, sent, errors, done_at)
        tasks.append(asyncio.create_task(user(*args)))
        if i % 50 == 49:
            await asyncio.sleep(0.05)
    for _ in cookies:
        await ready.acquire()
    print("connected", flush=True)
    loop = asyncio.get_running_loop()
    started = float(await loop.run_in_executor(None, sys.stdin.readline))  # the common start time
    go.started = started
    done_at[0] = started + seconds + DRAIN_S
    go.set()
    await asyncio.sleep(max(0.0, done_at[0] - time.time()))
    await asyncio.sleep(0.5)
    closed_early = sum(1 for task in tasks if task.done() and task.exception() is not None)
    for task in tasks:
        task.cancel()
    print(json.dumps({
        "sent": sent,
        "received": [[u, n, c] for (u, n), c in received.items()],
        "latencies_ms": [round(x * 1000, 2) for x in latencies],
        "errors": errors[:20],
        "error_count": len(errors),
        "closed_early": closed_early,
    }), flush=True)  # fmt: skip


if __name__ == "__main__":
    url, cookies_file, origin, first, count, seconds, share = sys.argv[1:8]
    asyncio.run(main(url, cookies_file, origin, int(first), int(count), int(seconds), int(share)))
