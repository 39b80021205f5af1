"""What the fault tests drive: `manage.py serve`'s web processes, and dashboard sockets held as a browser holds them."""

import asyncio
import json
from datetime import datetime

import psutil
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from tests.waits import EVENT_TIMEOUT_S


def web_processes(server_pid: int) -> list[psutil.Process]:
    """The live daphne processes `serve` runs (one just killed is a zombie until it is reaped)."""
    found = []
    for child in psutil.Process(server_pid).children():
        try:
            if "daphne" in " ".join(child.cmdline()) and child.status() != psutil.STATUS_ZOMBIE:
                found.append(child)
        except psutil.Error:
            pass
    return found


def live_from(name: str, after: float):
    return lambda frame: frame.get("type") == "stats" and frame.get("host") == name and frame.get("ts", 0) > after


def checked_after(host_id: int, moment: float):
    """A grid frame saying the monitored host was checked after `moment` (unix s)."""

    def wanted(frame: dict) -> bool:
        hosts = frame.get("hosts", []) if frame.get("type") == "hosts" else []
        return any(
            h["id"] == host_id and h["checked_at"] and datetime.fromisoformat(h["checked_at"]).timestamp() > moment
            for h in hosts
        )

    return wanted


def link(live: bool):
    return lambda frame: frame == {"type": "link", "live": live}


def holder(processes: list[psutil.Process], client_port: int) -> int | None:
    """The pid of the web process holding the server side of a client's connection."""
    for process in processes:
        for conn in process.net_connections(kind="tcp"):
            if conn.raddr and conn.raddr.port == client_port:
                return process.pid
    return None


class Page:
    """A page's socket (the dashboard's unless another path is given), as the browser holds it."""

    def __init__(self, port: int, cookie: str, path: str = "/ws/stats/") -> None:
        self.url = f"ws://127.0.0.1:{port}{path}"
        self.headers = {"Cookie": cookie, "Origin": f"http://127.0.0.1:{port}"}
        self.ws = None

    async def open(self) -> None:
        self.ws = await connect(self.url, additional_headers=self.headers, open_timeout=EVENT_TIMEOUT_S)

    async def answers(self) -> bool:
        """A ping gets its pong (frames before it are skipped)."""
        await self.ws.send('{"type": "ping"}')
        async with asyncio.timeout(EVENT_TIMEOUT_S):
            while True:
                if '"pong"' in await self.ws.recv():
                    return True

    async def closed(self) -> bool:
        try:
            async with asyncio.timeout(EVENT_TIMEOUT_S):
                while True:
                    await self.ws.recv()
        except ConnectionClosed:
            return True

    async def admitted(self) -> bool:
        """True when the socket was let in (a ping gets its pong), False when refused as one too many."""
        try:
            await self.ws.send('{"type": "ping"}')
        except ConnectionClosed:
            return False
        async with asyncio.timeout(EVENT_TIMEOUT_S):
            while True:
                try:
                    frame = await self.ws.recv()
                except ConnectionClosed:
                    return False
                if "too many open sockets" in frame:
                    return False
                if '"pong"' in frame:
                    return True

    @property
    def local_port(self) -> int:
        return self.ws.local_address[1]

    async def frame(self, wanted, seconds: float) -> dict:
        """The first frame for which `wanted(frame)` is true, within `seconds`."""
        async with asyncio.timeout(seconds):
            while True:
                frame = json.loads(await self.ws.recv())
                if wanted(frame):
                    return frame

    async def frames(self, wanted: list, seconds: float) -> None:
        """Frames meeting each of `wanted`, in any order, within `seconds`."""
        missing = list(wanted)
        async with asyncio.timeout(seconds):
            while missing:
                frame = json.loads(await self.ws.recv())
                missing = [condition for condition in missing if not condition(frame)]

    async def reconnecting_frame(self, wanted, seconds: float) -> dict:
        """As `frame`, reconnecting the way static/js/live-socket.js does: 1 s, 2 s, 4 s... after each failure."""
        failures = 0
        async with asyncio.timeout(seconds):
            while True:
                try:
                    if self.ws is None:
                        await self.open()
                    frame = json.loads(await self.ws.recv())
                    failures = 0  # only a socket that delivers counts as recovered
                    if wanted(frame):
                        return frame
                except (ConnectionClosed, OSError, TimeoutError):
                    self.ws = None
                    await asyncio.sleep(min(30, 2**failures))
                    failures += 1


class ChatPage:
    """A chat room as static/js/chat.js holds it: what has no "saved" frame is sent again after a reconnect."""

    def __init__(self, port: int, cookie: str, room: str) -> None:
        self.page = Page(port, cookie, f"/ws/chat/{room}/")
        self.unsaved: dict[str, str] = {}  # client id -> text
        self.seen: dict[int, str] = {}  # message id -> text, from history and live frames
        self.errors: list[str] = []

    async def join(self) -> None:
        await self.page.open()
        await self.until(lambda frame: frame["type"] == "history")
        for client_id, text in list(self.unsaved.items()):
            await self.post(text, client_id)

    async def post(self, text: str, client_id: str) -> None:
        await self.page.ws.send(json.dumps({"type": "message", "text": text, "client_id": client_id}))
        self.unsaved[client_id] = text

    async def until(self, done, seconds: float = 10) -> None:
        """Read frames, as the page handles them, until `done(frame)`."""
        while True:
            frame = await self.page.frame(lambda _: True, seconds)
            if frame["type"] in ("history", "messages"):
                self.seen.update({m["id"]: m["text"] for m in frame["messages"]})
            elif frame["type"] == "saved":
                for client_id in frame["client_ids"]:
                    self.unsaved.pop(client_id)
            elif frame["type"] == "error":
                self.errors.append(frame["message"])
            if done(frame):
                return

    async def all_saved(self) -> None:
        if self.unsaved:
            await self.until(lambda _: not self.unsaved)
