"""Senders and reference receivers for bench/events.py, each its own process.

python bench/event_senders.py flood syslog|trap HOST PORT COUNT [BIND]
    COUNT datagrams as fast as one core sends them
python bench/event_senders.py paced HOST PORT RATE SECONDS TAG [BIND]
    syslog messages at RATE a second, each carrying its send time ("TAG <unix s>")
"""

import socket
import sys
import time
from pathlib import Path

# net-snmp's snmptrap -v2c linkDown (tests/events/test_parsers.py)
V2C_TRAP = bytes.fromhex(
    "306a02010104067075626c6963a75d020419fb4ff0020100020100304f300f06082b060102010103004303008f9a30170"
    "60a2b06010603010104010006092b0601060301010503300f060a2b0601020102020101020201023012060a2b06010201"
    "0202010202040465746831"
)
SYSLOG = b"<14>1 2026-12-06T19:00:00Z edge-1 sshd 1 - - authentication failure for admin from 203.0.113.9"
RSYSLOG_CONFIG = """
global(workDirectory="{work}")
module(load="imudp")
input(type="imudp" address="127.0.0.1" port="{port}")
*.* action(type="omfile" file="{out}")
"""


def sender(bind: str | None) -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    if bind:
        sock.bind((bind, 0))
    return sock


def flood(kind: str, host: str, port: int, count: int, bind: str | None = None, rate: float = 0) -> None:
    """`count` datagrams; at `rate` a second in bursts of a millisecond's worth, or as fast as
    this core sends them (rate 0)."""
    data, sock, target = V2C_TRAP if kind == "trap" else SYSLOG, sender(bind), (host, port)
    burst = max(1, int(rate / 1000)) if rate else count
    started = time.monotonic()
    for sent in range(0, count, burst):
        if rate:
            time.sleep(max(0.0, started + sent / rate - time.monotonic()))
        for _ in range(min(burst, count - sent)):
            sock.sendto(data, target)


def paced(host: str, port: int, rate: float, seconds: float, tag: str, bind: str | None = None) -> None:
    sock, target, started = sender(bind), (host, port), time.monotonic()
    for n in range(int(rate * seconds)):
        time.sleep(max(0.0, started + n / rate - time.monotonic()))
        sock.sendto(f"<14>1 - edge bench - - - {tag} {time.time():.6f}".encode(), target)


def rsyslog_config(folder: Path, port: int) -> tuple[Path, Path]:
    """rsyslogd's config (UDP in, every message to a file) and the file."""
    (folder / "work").mkdir(exist_ok=True)
    out = folder / "rsyslog.out"
    config = folder / "rsyslog.conf"
    config.write_text(RSYSLOG_CONFIG.format(work=folder / "work", port=port, out=out))
    return config, out


if __name__ == "__main__":
    mode, *args = sys.argv[1:]
    if mode == "flood":
        flood(args[0], args[1], int(args[2]), int(args[3]), *args[4:5], *map(float, args[5:6]))
    else:
        paced(args[0], int(args[1]), float(args[2]), float(args[3]), args[4], *args[5:6])
