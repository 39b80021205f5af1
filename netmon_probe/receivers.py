"""The probe's event and flow receivers: datagrams taken raw and forwarded to the centre.

Each receiver the environment enables (PROBE_TRAP_PORT, PROBE_SYSLOG_PORT, PROBE_NETFLOW_PORT,
PROBE_SFLOW_PORT, on PROBE_RECEIVE_HOST) is one UDP socket; syslog listens on TCP too, each
RFC 6587 frame forwarded as a datagram would be. A datagram passes its source's
token bucket, then waits in memory (bounded), on disk (a buffer of its own, bounded, oldest
dropped) and goes to the probe's datagram stream, a stream apart from its results: a flood
of flows never waits in front of the check results, on disk or in Redis. Nothing is
decoded here: the centre reads each datagram with its own receivers' decoders.
"""

import asyncio
import contextlib
import logging
import socket
import time
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass

import redis

from netmon_probe import keys
from netmon_probe.buffer import Buffer
from netmon_probe.datagrams import NETFLOW, SFLOW, SYSLOG, TRAP, Datagram, entry_text
from netmon_probe.syslog_tcp import SyslogStreams
from netmon_probe.token_buckets import TokenBuckets

logger = logging.getLogger("netmon_probe")

PORTS = {TRAP: "PROBE_TRAP_PORT", SYSLOG: "PROBE_SYSLOG_PORT", NETFLOW: "PROBE_NETFLOW_PORT", SFLOW: "PROBE_SFLOW_PORT"}
RATE_LIMITED, BACKLOG_FULL, BUFFER_FULL = "over the source's rate", "memory backlog full", "disk buffer full (oldest)"
SEND_BATCH = 2000
MAX_PENDING = 100_000  # datagrams taken and not yet on disk (a disk slower than the traffic)
MAX_COUNTED_SOURCES = 10_000
RECEIVE_BUFFER = 8 << 20
REPORT_EVERY_S = 60.0
TCP_FRAME_TIMEOUT_S = 30.0  # as the centre's default (EVENTS_TCP_FRAME_TIMEOUT_S)


@dataclass(frozen=True)
class Settings:
    host: str
    ports: dict[str, int]  # receiver -> port; the receivers left off are not here
    events_per_source: float  # datagrams a second
    flows_per_exporter: float

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> "Settings":
        """Raises ValueError naming the setting that is not a number."""
        ports = {}
        for receiver, name in PORTS.items():
            if env.get(name):
                ports[receiver] = _number(env, name, int, 1, 65_535)
        return cls(env.get("PROBE_RECEIVE_HOST") or "0.0.0.0", ports,
                   _number(env, "PROBE_EVENTS_PER_SOURCE", float, 1, default=1000.0),
                   _number(env, "PROBE_FLOWS_PER_EXPORTER", float, 1, default=20_000.0))  # fmt: skip


def _number(env: Mapping[str, str], name: str, kind, low: float, high: float = float("inf"), default=None):
    try:
        value = kind(env[name]) if env.get(name) else default
    except ValueError:
        raise ValueError(f"{name} must be a number, not {env[name]!r}") from None
    if not low <= value <= high:
        raise ValueError(f"{name} must be between {low} and {high}")
    return value


class _Receiver(asyncio.DatagramProtocol):
    def __init__(self, forwarder: "Forwarder", receiver: str) -> None:
        self.forwarder, self.receiver = forwarder, receiver

    def datagram_received(self, data: bytes, address: tuple) -> None:
        self.forwarder.take(self.receiver, data, address)


class Forwarder:
    def __init__(
        self, client: redis.Redis, name: str, buffer: Buffer, prefix: str, settings: Settings, flush_s: float = 0.5
    ) -> None:
        self.client, self.buffer, self.settings, self.flush_s = client, buffer, settings, flush_s
        self.key, self.origin = keys.datagrams_key(prefix, name), buffer.identity()
        rate = {"events": settings.events_per_source, "flows": settings.flows_per_exporter}
        self.buckets = {kind: TokenBuckets(r, 2 * r) for kind, r in rate.items()}
        self.pending: list[str] = []
        self.dropped: Counter[tuple[str, str]] = Counter()  # (reason, source) -> datagrams
        self.taken = self.sent = 0
        self.linked: bool | None = None

    def take(self, receiver: str, data: bytes, address: tuple) -> None:
        """On the loop: the datagram into the backlog, unless its source is over its rate."""
        source = address[0].removeprefix("::ffff:")
        kind = "flows" if receiver in (NETFLOW, SFLOW) else "events"
        if not self.buckets[kind].take(source, time.monotonic()):
            self.drop(RATE_LIMITED, source)
        elif len(self.pending) >= MAX_PENDING:
            self.drop(BACKLOG_FULL, source)
        else:
            self.pending.append(entry_text(Datagram(receiver, source, address[1], time.time(), data)))
            self.taken += 1

    def drop(self, reason: str, source: str, count: int = 1) -> None:
        key = (reason, source)
        if key not in self.dropped and len(self.dropped) >= MAX_COUNTED_SOURCES:
            key = (reason, "other")
        self.dropped[key] += count

    def flush(self) -> None:
        """In a thread: the backlog to disk, then from disk to Redis, oldest first."""
        pending, self.pending = self.pending, []
        dropped = self.buffer.dropped
        self.buffer.append(pending)
        if self.buffer.dropped > dropped:
            self.drop(BUFFER_FULL, "any", self.buffer.dropped - dropped)
        try:
            while batch := self.buffer.oldest(SEND_BATCH):
                with self.client.pipeline(transaction=False) as pipe:
                    for seq, text in batch:
                        fields = {keys.ENTRY_FIELD: text, keys.SEQUENCE_FIELD: f"{self.origin}:{seq}"}
                        pipe.xadd(self.key, fields, maxlen=keys.DATAGRAMS_MAXLEN, approximate=True)
                    pipe.execute()
                self.buffer.remove_through(batch[-1][0])
                self.sent += len(batch)
                if len(batch) < SEND_BATCH:
                    break
        except redis.RedisError as error:
            if self.linked is not False:
                logger.warning("Redis does not take datagrams (%s); keeping them on disk", type(error).__name__)
            self.linked = False
            return
        if self.linked is False:
            logger.info("Redis takes datagrams again; %d sent in all", self.sent)
        self.linked = True

    def report(self) -> None:
        worst = ", ".join(f"{reason} from {source}: {n}" for (reason, source), n in self.dropped.most_common(5))
        counts = (self.taken, self.sent, self.buffer.count, self.dropped.total(), f" ({worst})" if worst else "")
        logger.info("receivers: %d datagrams taken, %d sent, %d waiting on disk; dropped %d%s", *counts)

    async def open(self) -> list[asyncio.BaseTransport | asyncio.Server]:
        """The enabled receivers' sockets; a port in use stops the probe at once, with its reason."""
        loop, host, transports = asyncio.get_running_loop(), self.settings.host, []
        if port := self.settings.ports.get(SYSLOG):
            streams = SyslogStreams(lambda peer, frame: self.take(SYSLOG, frame, peer),
                                    lambda peer, reason: self.drop(reason, peer[0]), TCP_FRAME_TIMEOUT_S)  # fmt: skip
            transports.append(await asyncio.start_server(streams.handle, host, port))
            logger.info("receiving syslog on tcp %s:%d, forwarded to the centre", host, port)
        for receiver, port in self.settings.ports.items():
            sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_DGRAM)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, RECEIVE_BUFFER)
            sock.bind((host, port))
            transport, _ = await loop.create_datagram_endpoint(lambda r=receiver: _Receiver(self, r), sock=sock)
            transports.append(transport)
            logger.info("receiving %s on udp %s:%d, forwarded to the centre", receiver, host, port)
        return transports

    async def run(self, stop: asyncio.Event, transports: list) -> None:
        """Until `stop`: the backlog to disk and Redis every flush_s; the receivers (`open`) closed at the end."""
        reported = time.monotonic()
        try:
            while not stop.is_set():
                await asyncio.to_thread(self.flush)
                if time.monotonic() - reported >= REPORT_EVERY_S:
                    reported = time.monotonic()
                    self.report()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), timeout=self.flush_s)
        finally:
            for transport in transports:
                transport.close()
            await asyncio.to_thread(self.flush)
            self.report()
