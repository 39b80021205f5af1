"""Benchmark of the network events receiver (`make bench-events`). Not part of the test suite.

1. Throughput per core: COUNT syslog datagrams, then COUNT SNMPv2c traps, sent at
   FLOOD_RATE a second to the receiver (rate limit lifted); messages taken and stored per CPU-second of the receiver
   process (parsing, the live path and the batched database writes together). Beside it on
   the same machine and the same datagrams: rsyslogd writing each message to a file, and
   snmptrapd logging each trap to a file, per CPU-second of theirs.
2. Datagram to browser: syslog at RATE a second from a device, each carrying its send time,
   to a WebSocket on /ws/stats/ (through daphne) watching the device: p50/p99.
3. Storm: a second device floods STORM datagrams while the first keeps sending at RATE;
   the first's p99 to the browser, what the storm had dropped, and the receiver's memory.

BENCH_COUNT (100000), BENCH_FLOOD_RATE (25000), BENCH_STORM (100000), BENCH_RATE (200) and
BENCH_SECONDS (10) change them; BENCH_PARTS (comma-separated part names) runs some only.
"""

import asyncio
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.environment import prepare  # noqa: E402

WORKDIR = prepare("bench-events")

import websockets  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402

from bench.common import free_port, run_facts, save_results, session_cookie, summary_ms  # noqa: E402
from bench.event_senders import rsyslog_config  # noqa: E402
from core.redis_io.redis_clients import sync_redis  # noqa: E402
from events.counters import read_drops, taken_key  # noqa: E402
from events.models import Event  # noqa: E402
from monitor.models import Host  # noqa: E402
from tests import processes  # noqa: E402

COUNT = int(os.environ.get("BENCH_COUNT", "100000"))
STORM = int(os.environ.get("BENCH_STORM", "100000"))
RATE = float(os.environ.get("BENCH_RATE", "200"))
SECONDS = float(os.environ.get("BENCH_SECONDS", "10"))
# Throughput runs send at this rate, in millisecond bursts: flat out, most datagrams would
# only overflow the receive buffer, and what was measured would be the kernel dropping them.
FLOOD_RATE = float(os.environ.get("BENCH_FLOOD_RATE", "25000"))
SENDERS = [sys.executable, str(ROOT / "bench" / "event_senders.py")]
UNLIMITED = {"EVENTS_RATE_PER_SOURCE": "1000000000", "EVENTS_BURST_PER_SOURCE": "1000000000"}
TICK_S = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK_S  # utime, stime


def rss_mb(pid: int) -> float:
    line = next(li for li in Path(f"/proc/{pid}/status").read_text().splitlines() if li.startswith("VmRSS"))
    return int(line.split()[1]) / 1024


def settle(read, stable_s: float = 3.0, limit_s: float = 120.0) -> int:
    """Poll `read()` until it stops growing for `stable_s`; its last value."""
    last, since, deadline = -1, time.monotonic(), time.monotonic() + limit_s
    while time.monotonic() < deadline:
        value = read()
        if value != last:
            last, since = value, time.monotonic()
        elif time.monotonic() - since >= stable_s:
            break
        time.sleep(0.2)
    return last


def flood(kind: str, port: int, count: int, bind: str = "127.0.0.1", rate: float = 0) -> None:
    command = [*SENDERS, "flood", kind, "127.0.0.1", str(port), str(count), bind, str(rate)]
    subprocess.run(command, check=True)


def per_core(count: int, cpu: float, wall: float) -> dict:
    return {"messages": count, "cpu_s": round(cpu, 2), "per_core_per_s": round(count / cpu) if cpu else None,
            "wall_s": round(wall, 2)}  # fmt: skip


def receiver_throughput(kind: str) -> dict:
    Event.objects.all().delete()
    sync_redis().delete(taken_key())
    trap_port, syslog_port = free_port(), free_port()
    with processes.events_receiver(trap_port, syslog_port, **UNLIMITED) as receiver:
        time.sleep(1)  # its first reloads done
        before, started = cpu_seconds(receiver.pid), time.monotonic()
        flood(kind, trap_port if kind == "trap" else syslog_port, COUNT, rate=FLOOD_RATE)
        stored = settle(Event.objects.count)
        cpu, wall = cpu_seconds(receiver.pid) - before, time.monotonic() - started - 3.0
    return {**per_core(stored, cpu, wall), "sent": COUNT, "lost": COUNT - stored}


def rsyslog_throughput() -> dict:
    folder, port = Path(tempfile.mkdtemp(prefix="bench-rsyslog-")), free_port()
    config, out = rsyslog_config(folder, port)
    daemon = subprocess.Popen(["rsyslogd", "-n", "-f", str(config), "-i", str(folder / "pid")])
    try:
        time.sleep(1.5)
        before, started = cpu_seconds(daemon.pid), time.monotonic()
        flood("syslog", port, COUNT, rate=FLOOD_RATE)
        written = settle(lambda: out.read_bytes().count(b"\n") if out.exists() else 0)
        cpu, wall = cpu_seconds(daemon.pid) - before, time.monotonic() - started - 3.0
    finally:
        daemon.terminate()
        daemon.wait(10)
    return {**per_core(written, cpu, wall), "sent": COUNT, "lost": COUNT - written}


def snmptrapd_throughput() -> dict:
    folder, port = Path(tempfile.mkdtemp(prefix="bench-snmptrapd-")), free_port()
    (folder / "snmptrapd.conf").write_text("authCommunity log public\n")
    out = folder / "traps.log"
    command = ["snmptrapd", "-f", "-C", "-c", str(folder / "snmptrapd.conf"), "-Lf", str(out), "-F", "T %B\n",
               "-p", str(folder / "pid"), f"udp:127.0.0.1:{port}"]  # fmt: skip
    daemon = subprocess.Popen(command)
    try:
        time.sleep(1.5)
        before, started = cpu_seconds(daemon.pid), time.monotonic()
        flood("trap", port, COUNT, rate=FLOOD_RATE)
        logged = settle(lambda: out.read_bytes().count(b"T ") if out.exists() else 0)
        cpu, wall = cpu_seconds(daemon.pid) - before, time.monotonic() - started - 3.0
    finally:
        daemon.terminate()
        daemon.wait(10)
    return {**per_core(logged, cpu, wall), "sent": COUNT, "lost": COUNT - logged}


async def watch(url: str, cookie: str, origin: str, host_id: int, tag: str, latencies: list, stop) -> None:
    async with websockets.connect(url, additional_headers={"Cookie": cookie, "Origin": origin}) as ws:
        await ws.send(json.dumps({"type": "watch", "host": host_id}))
        while not stop.is_set():
            try:
                text = await asyncio.wait_for(ws.recv(), timeout=0.5)
            except TimeoutError:
                continue
            received, frame = time.time(), json.loads(text)
            for event in frame.get("events", []) if frame.get("type") == "events" else []:
                word, _, sent = event["text"].partition(" ")
                if word == tag:
                    latencies.append(received - float(sent))


def to_browser(storm: bool) -> dict:
    Event.objects.all().delete()
    sync_redis().delete(taken_key())
    web_port, trap_port, syslog_port = free_port(), free_port(), free_port()
    device, _ = Host.objects.get_or_create(name="edge", address="127.0.0.1")
    Host.objects.get_or_create(name="storm", address="127.0.0.2")
    user, _ = get_user_model().objects.get_or_create(username="bench")
    latencies: list[float] = []
    stop = threading.Event()
    with processes.daphne(web_port), processes.events_receiver(trap_port, syslog_port) as receiver:
        time.sleep(1)
        url, origin = f"ws://127.0.0.1:{web_port}/ws/stats/", f"http://127.0.0.1:{web_port}"
        args = (url, session_cookie(user), origin, device.id, "probe", latencies, stop)
        listener = threading.Thread(target=lambda: asyncio.run(watch(*args)), daemon=True)
        listener.start()
        time.sleep(1)
        rss_before = rss_mb(receiver.pid)
        probe = subprocess.Popen([*SENDERS, "paced", "127.0.0.1", str(syslog_port), str(RATE), str(SECONDS), "probe"])
        if storm:
            time.sleep(1)
            flood("syslog", syslog_port, STORM, bind="127.0.0.2")
        probe.wait()
        time.sleep(2)
        stop.set()
        listener.join(5)
        rss_after = rss_mb(receiver.pid)
        time.sleep(2.5)  # the counts reach Redis every 2 s
    result = {"probe_sent": int(RATE * SECONDS), "probe_received": len(latencies),
              "datagram_to_browser_ms": summary_ms(latencies), "rss_mb_before": round(rss_before, 1),
              "rss_mb_after": round(rss_after, 1)}  # fmt: skip
    if storm:
        drops = [(reason, source, count) for reason, source, count in read_drops(sync_redis())]
        result |= {"storm_sent": STORM, "storm_dropped": {f"{r} ({s})": c for r, s, c in drops}}
    return result


def main() -> None:
    call_command("migrate", verbosity=0)
    results = {**run_facts(), "count": COUNT, "flood_rate": FLOOD_RATE}
    parts = (("receiver_syslog", lambda: receiver_throughput("syslog")), ("rsyslogd_file", rsyslog_throughput),
             ("receiver_traps", lambda: receiver_throughput("trap")), ("snmptrapd_log", snmptrapd_throughput),
             ("to_browser", lambda: to_browser(False)), ("storm", lambda: to_browser(True)))  # fmt: skip
    chosen = os.environ.get("BENCH_PARTS", ",".join(name for name, _ in parts)).split(",")
    for name, run in parts:
        if name not in chosen:
            continue
        results[name] = run()
        print(name, json.dumps(results[name]), flush=True)
    save_results("events", results)


if __name__ == "__main__":
    main()
