"""Chat users for the chat benchmark: each joins the room, sends 1 message/s, records what arrives.

Run by bench/chat_room.py and bench/soak.py, one process per share of the users. Reads
the users' session cookies (one per line) from a file. Prints "connected" once every
user has its history or has failed CONNECT_ATTEMPTS times, then after "go" on stdin
each user sends SECONDS messages, one per second (spread across the second by user),
and everyone records every message until DRAIN seconds after the last send. Prints
one JSON summary.
"""

import asyncio
import json
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from websockets.asyncio.client import connect
from websockets.exceptions import WebSocketException

DRAIN_S = 5.0
CONNECT_ATTEMPTS = 10
RETRY_AFTER_S = 1.0


@dataclass
class Room:
    """What this process's users share: the start signal and everything they record."""

    url: str
    origin: str
    seconds: int
    share: int  # users in the whole room, to spread the sends across each second
    ready: asyncio.Semaphore = field(default_factory=lambda: asyncio.Semaphore(0))
    go: asyncio.Event = field(default_factory=asyncio.Event)
    started: float = 0.0
    done_at: float = 0.0
    received: Counter = field(default_factory=Counter)
    latencies: list[float] = field(default_factory=list)
    sent: list[tuple[int, int]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    failed_users: int = 0
    failed_attempts: int = 0
    failure_reasons: Counter = field(default_factory=Counter)


async def user(room: Room, index: int, cookie: str) -> None:
    """One operator. A handshake refused, or a socket closed before the history came, is
    tried again a second later, as the chat page does; after CONNECT_ATTEMPTS the user
    counts as failed, and everything sent to it as lost."""
    headers = {"Cookie": cookie, "Origin": room.origin}
    for _ in range(CONNECT_ATTEMPTS):
        joined = asyncio.Event()
        try:
            async with connect(room.url, additional_headers=headers, max_size=2**22, open_timeout=60) as socket:
                await chat(room, index, socket, joined)
            if joined.is_set():
                return
            reason = "closed before the history"
        except (OSError, WebSocketException) as error:
            if joined.is_set():
                raise  # closed while chatting: counted as closed early, not tried again
            reason = f"{type(error).__name__}: {error}"[:120]
        room.failed_attempts += 1
        room.failure_reasons[reason] += 1
        await asyncio.sleep(RETRY_AFTER_S)
    room.failed_users += 1
    room.ready.release()


async def chat(room: Room, index: int, socket, joined: asyncio.Event) -> None:
    """Send and record until the run ends; `joined` is set once the history came."""

    async def send_all() -> None:
        await room.go.wait()
        start = room.started + (index % room.share) / room.share  # spread the users across each second
        for n in range(room.seconds):
            await asyncio.sleep(max(0.0, start + n - time.time()))
            body = json.dumps({"u": index, "n": n, "t": time.time()})
            await socket.send(json.dumps({"type": "message", "text": body}))
            room.sent.append((index, n))

    sender = None
    async for raw in socket:
        now = time.time()
        frame = json.loads(raw)
        kind = frame["type"]
        if kind == "history":
            joined.set()
            room.ready.release()
            sender = asyncio.create_task(send_all())
        elif kind == "messages":
            for message in frame["messages"]:
                body = json.loads(message["text"])
                room.received[(body["u"], body["n"])] += 1
                room.latencies.append(now - body["t"])
        elif kind == "error":
            room.errors.append(frame["message"])
        if room.done_at and now > room.done_at:
            break
    if sender is not None:
        sender.cancel()


async def main(url, cookies_file, origin, first, count, seconds, share) -> None:
    cookies = Path(cookies_file).read_text().split()[first : first + count]
    room = Room(url, origin, seconds, share)
    tasks = []
    for i, cookie in enumerate(cookies):
        tasks.append(asyncio.create_task(user(room, first + i, cookie)))
        if i % 50 == 49:
            await asyncio.sleep(0.05)
    for _ in cookies:
        await room.ready.acquire()
    print("connected", flush=True)
    loop = asyncio.get_running_loop()
    room.started = float(await loop.run_in_executor(None, sys.stdin.readline))  # the common start time
    room.done_at = room.started + seconds + DRAIN_S
    room.go.set()
    await asyncio.sleep(max(0.0, room.done_at - time.time()))
    await asyncio.sleep(0.5)
    closed_early = sum(1 for task in tasks if task.done() and task.exception() is not None)
    for task in tasks:
        task.cancel()
    print(json.dumps({
        "sent": room.sent,
        "received": [[u, n, c] for (u, n), c in room.received.items()],
        "latencies_ms": [round(x * 1000, 2) for x in room.latencies],
        "errors": room.errors[:20],
        "error_count": len(room.errors),
        "closed_early": closed_early,
        "failed_users": room.failed_users,
        "failed_attempts": room.failed_attempts,
        "failure_reasons": dict(room.failure_reasons.most_common(5)),
    }), flush=True)  # fmt: skip


if __name__ == "__main__":
    url, cookies_file, origin, first, count, seconds, share = sys.argv[1:8]
    asyncio.run(main(url, cookies_file, origin, int(first), int(count), int(seconds), int(share)))
