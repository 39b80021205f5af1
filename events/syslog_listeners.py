"""Syslog over UDP (one message a datagram) and TCP (RFC 6587 framing), into the intake."""

import asyncio
import socket
import time

from django.conf import settings

from events import syslog
from events.intake import Intake
from events.received import Received
from events.sources import normal_address
from netmon_probe.syslog_tcp import SyslogStreams


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


def syslog_streams(intake: Intake) -> SyslogStreams:
    """The TCP side (netmon_probe.syslog_tcp, shared with the probes): each frame read as a UDP message is."""

    def on_frame(peer: tuple, frame: bytes) -> None:
        source = normal_address(peer[0])
        if intake.admit(source):
            take_message(intake, source, frame)

    def on_bad(peer: tuple, reason: str) -> None:
        intake.bad(normal_address(peer[0]), reason)

    return SyslogStreams(on_frame, on_bad, settings.EVENTS_TCP_FRAME_TIMEOUT_S)
