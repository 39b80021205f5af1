"""WebSocket dashboard clients for the stats benchmark: connect N, then record every frame.

Run by bench/stats_pipeline.py, one process per share of the clients. The cookies
argument is one or more session cookies, comma-separated: socket i sends cookie i
modulo their number. Prints
"connected <open> <failed>" once every socket has opened or failed (a handshake that
fails or takes over OPEN_TIMEOUT_S counts as failed, and is not waited for again). On
"record" it records (client, seq, latency) of the benchmark agent's frames and says
"recording". On "stop <first> <last>" (the window's sequence numbers) it waits until
each open socket has the last frame (at most DRAIN_TIMEOUT_S), then prints as JSON the
window's records, with each socket's time from starting to connect to its first frame.

`storm` as the last argument opens every socket at once; `paced` opens 50 every 50 ms,
as page loads arrive.

The clients are picows listeners: a frame is parsed in C and handed to a callback, with
no task woken per frame. With the websockets library each frame cost the client about
100 µs of the two cores the web processes run on as well (see docs/benchmarks).
"""

import asyncio
import contextlib
import functools
import json
import sys
import time

from picows import WSError, WSListener, WSMsgType, ws_connect

OPEN_TIMEOUT_S = 10
# A frame later than this after the window closed counts as lost.
DRAIN_TIMEOUT_S = 10


class Recorder:
    """What every socket of this process saw."""

    def __init__(self, host: str) -> None:
        self.host = host
        self.recording = False
        self.results: list = []  # (client, seq, latency) from "record" on: the window is cut at the end
        self.first_frames: dict[int, float] = {}
        self.closed: set[int] = set()
        self.last_seq: int | None = None  # the window's last frame, once "stop" is read
        self.without_last: set[int] = set()  # open sockets that have not had it yet
        self.drained = asyncio.Event()

    def close_window(self, last_seq: int, open_sockets: set[int]) -> None:
        self.last_seq = last_seq
        had_it = {index for index, seq, _ in self.results if seq >= last_seq}
        self.without_last = open_sockets - had_it - self.closed
        self.check_drained()

    def has(self, index: int, seq: int) -> None:
        if self.last_seq is not None and seq >= self.last_seq:
            self.without_last.discard(index)
            self.check_drained()

    def gone(self, index: int) -> None:
        self.closed.add(index)
        self.without_last.discard(index)
        self.check_drained()

    def check_drained(self) -> None:
        if not self.without_last:
            self.drained.set()


class Dashboard(WSListener):
    def __init__(self, index: int, started: float, recorder: Recorder) -> None:
        self.index, self.started, self.recorder = index, started, recorder

    def on_ws_frame(self, transport, frame) -> None:
        if frame.msg_type != WSMsgType.TEXT:
            return
        received = time.time()
        recorder = self.recorder
        if self.index not in recorder.first_frames:
            recorder.first_frames[self.index] = time.monotonic() - self.started
        if not recorder.recording:
            return
        message = json.loads(frame.get_payload_as_utf8_text())
        if message.get("host") == recorder.host:
            recorder.results.append((self.index, message["seq"], received - message["ts"]))
            recorder.has(self.index, message["seq"])

    def on_ws_disconnected(self, transport) -> None:
        self.recorder.gone(self.index)


async def client(index, url, headers, recorder, connected, failures, transports):
    started = time.monotonic()
    try:
        async with asyncio.timeout(OPEN_TIMEOUT_S):
            # The timeout above covers the TCP connect and the handshake alike.
            listener = functools.partial(Dashboard, index, started, recorder)
            transport, _ = await ws_connect(listener, url, extra_headers=headers, websocket_handshake_timeout=None)
    except (OSError, TimeoutError, WSError) as error:
        failures.append(type(error).__name__)
    else:
        transports[index] = transport
    connected.release()


async def main(url: str, cookies: str, origin: str, host: str, count: int, first_index: int, pacing: str) -> None:
    cookie_list = cookies.split(",")
    recorder, connected = Recorder(host), asyncio.Semaphore(0)
    failures: list[str] = []
    transports: dict = {}  # index -> transport of each socket that opened
    tasks = []  # kept referenced until done
    for index in range(first_index, first_index + count):
        headers = {"Cookie": cookie_list[index % len(cookie_list)], "Origin": origin}
        tasks.append(asyncio.create_task(client(index, url, headers, recorder, connected, failures, transports)))
        if pacing == "paced" and (index - first_index) % 50 == 49:
            await asyncio.sleep(0.05)  # pace the handshakes a little, as real page loads are
    for _ in range(count):
        await connected.acquire()
    print(f"connected {count - len(failures)} {len(failures)}", flush=True)
    loop = asyncio.get_running_loop()
    assert (await loop.run_in_executor(None, sys.stdin.readline)).strip() == "record"
    recorder.recording = True
    print("recording", flush=True)
    word, first, last = (await loop.run_in_executor(None, sys.stdin.readline)).split()
    assert word == "stop", word
    first, last = int(first), int(last)
    recorder.close_window(last, set(transports))
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(recorder.drained.wait(), DRAIN_TIMEOUT_S)
    closed_early = len(recorder.closed)
    for transport in transports.values():
        transport.disconnect()
    report = {
        "window": [first, last],
        "records": [record for record in recorder.results if first <= record[1] <= last],
        "closed_early": closed_early,
        "failed_connects": failures,
        "first_frame_s": sorted(recorder.first_frames.values()),
        "without_first_frame": count - len(failures) - len(recorder.first_frames),
    }
    print(json.dumps(report), flush=True)


if __name__ == "__main__":
    url, cookies, origin, host, count, first, pacing = sys.argv[1:8]
    asyncio.run(main(url, cookies, origin, host, int(count), int(first), pacing))
