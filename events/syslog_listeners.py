"""Syslog over UDP (one message a datagram) and TCP (RFC 6587 framing), into the intake."""

import asyncio
import socket
import time

from django.conf import settings

from events import syslog
from events.framing import Framer
from events.intake import Intake
from events.received import Received
from events.sources import normal_address

MAX_TCP_CONNECTIONS = 1024
READ_SIZE = 65_536
UNFINISHED = "a TCP frame never finished"


def take_message(intake: Intake, source: str, data: bytes, ts: float | None = None) -> None:
    """`ts`: when it was received, if not now (a probe's receiver took it)."""
    try:
        message = syslog.parse(data)
    except syslog.BadInput as error:
        intake.bad(source, str(error))
        return
    if message.invalid_utf8:  # kept, with U+FFFD for the bad bytes; counted all the same
        intake.bad(source, "invalid UTF-8")
    app = message.app or message.hostname
    intake.take(Received(ts=time.time() if ts is None else ts, kind="syslog", source=source, severity=message.severity,
                         facility=message.facility, app=app[:64], text=message.text))  # fmt: skip


class SyslogDatagrams:
    """Reads the UDP socket dry at each wake-up, up to DRAIN datagrams: an asyncio datagram
    endpoint wakes the loop once per datagram, which cost a tenth of the receiver's time."""

    DRAIN = 512
    MAX_DATAGRAM = 65_535

    def __init__(self, intake: Intake, sock: socket.socket) -> None:
        self.intake, self.sock = intake, sock
        sock.setblocking(False)

    def start(self, loop: asyncio.AbstractEventLoop) -> None:
        loop.add_reader(self.sock.fileno(), self.drain)

    def drain(self) -> None:
        for _ in range(self.DRAIN):
            try:
                data, address = self.sock.recvfrom(self.MAX_DATAGRAM)
            except (BlockingIOError, InterruptedError):
                return
            except OSError:  # e.g. an ICMP error queued on the socket: the next read goes on
                continue
            source = normal_address(address[0])
            if self.intake.admit(source):
                take_message(self.intake, source, data)


class SyslogStreams:
    """One coroutine per TCP connection; at most MAX_TCP_CONNECTIONS at once."""

    def __init__(self, intake: Intake) -> None:
        self.intake, self.open = intake, 0

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        source = normal_address(writer.get_extra_info("peername")[0])
        if self.open >= MAX_TCP_CONNECTIONS:
            self.intake.bad(source, "too many TCP connections")
            writer.close()
            return
        self.open += 1
        try:
            await self._read(source, reader)
        except syslog.BadInput as error:
            self.intake.bad(source, str(error))
        except (ConnectionError, OSError):
            pass  # the peer went away
        finally:
            self.open -= 1
            writer.close()

    async def _read(self, source: str, reader: asyncio.StreamReader) -> None:
        framer, deadline = Framer(), None
        while True:
            timeout = None if deadline is None else max(0.0, deadline - time.monotonic())
            try:
                data = await asyncio.wait_for(reader.read(READ_SIZE), timeout)
            except TimeoutError:
                self.intake.bad(source, UNFINISHED)
                return
            if not data:
                if framer.pending:
                    self.intake.bad(source, UNFINISHED)
                return
            for frame in framer.feed(data):
                if self.intake.admit(source):
                    take_message(self.intake, source, frame)
            # A frame begun must end within the timeout of when it began, however slowly it trickles.
            if not framer.pending:
                deadline = None
            elif deadline is None:
                deadline = time.monotonic() + settings.EVENTS_TCP_FRAME_TIMEOUT_S
