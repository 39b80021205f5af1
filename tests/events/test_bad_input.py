"""Bad input to the real receiver: counted per source and reason, never a crash, and what
comes after it still arrives."""

import asyncio
import socket
import time

from channels.db import database_sync_to_async

from core.redis_io.redis_clients import sync_redis
from events.counters import drops_key, read_drops
from events.models import Event
from tests.events import senders
from tests.events.senders import LINK_UP, V3_USER
from tests.processes import events_receiver
from tests.waits import EVENT_TIMEOUT_S

REASONS = {
    "wrong community",
    "unknown SNMPv3 user",
    "malformed BER: truncated BER",
    "oversized datagram",
    "invalid UTF-8",
    "a TCP frame never finished",
    "no priority",
}


def counted() -> set[str]:
    return {reason for reason, source, _count in read_drops(sync_redis()) if source == "127.0.0.1"}


async def until(condition, what: str) -> None:
    deadline = time.monotonic() + EVENT_TIMEOUT_S
    while not await asyncio.to_thread(condition):
        assert time.monotonic() < deadline, f"{what} not within {EVENT_TIMEOUT_S} s"
        await asyncio.sleep(0.1)


def datagram(port: int, data: bytes) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sender:
        sender.sendto(data, ("127.0.0.1", port))


def unfinished_frame_is_cut(port: int) -> bool:
    """A TCP peer that starts a frame and never ends it: the receiver closes the connection."""
    with socket.create_connection(("127.0.0.1", port), timeout=EVENT_TIMEOUT_S) as peer:
        peer.sendall(b"<13>a frame with no end")
        return peer.recv(10) == b""  # closed by the receiver, not by the timeout here


async def test_bad_input_is_counted_per_source_and_reason_and_the_receiver_goes_on(transactional_db, ports):
    sync_redis().delete(drops_key())
    trap_port, syslog_port = ports
    with events_receiver(trap_port, syslog_port, EVENTS_TCP_FRAME_TIMEOUT_S="1"):
        stranger = {**V3_USER, "user": "nobody"}
        await asyncio.to_thread(senders.snmptrap, trap_port, "2c", LINK_UP, community="wrong")
        await asyncio.to_thread(senders.snmptrap, trap_port, "3", LINK_UP, user=stranger)
        datagram(trap_port, b"\x30\x10\x02\x01\x01")
        datagram(trap_port, b"\x30" + b"\x00" * 20_000)
        datagram(syslog_port, b"<13>Dec  6 19:00:01 host app: caf\xe9 latin-1")
        datagram(syslog_port, b"no priority at all")
        assert await asyncio.to_thread(unfinished_frame_is_cut, syslog_port)
        await until(lambda: counted() >= REASONS, "every reason counted")
        result = await asyncio.to_thread(senders.logger, syslog_port, "still listening", "-d")
        assert result.returncode == 0
        await until(lambda: Event.objects.filter(text="still listening").exists(), "the next message stored")
    kept = await database_sync_to_async(Event.objects.get)(text__startswith="caf")
    assert kept.text == "caf\ufffd latin-1"
    assert not await database_sync_to_async(Event.objects.filter(text__contains="no end").exists)()
