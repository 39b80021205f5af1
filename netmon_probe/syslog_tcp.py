"""Syslog over TCP (RFC 6587 framing): one coroutine per connection, each whole frame handed on.

Shared by the centre's receiver (events.syslog_listeners, which reads each frame) and the
probe's (netmon_probe.receivers, which forwards each frame as it forwards a datagram).
At most MAX_TCP_CONNECTIONS at once; a frame begun must end within `frame_timeout_s`
however slowly it trickles; a stream that cannot be framed is closed, its reason counted.
"""

import asyncio
import time
from collections.abc import Callable

from netmon_probe.framing import BadInput, Framer

MAX_TCP_CONNECTIONS = 1024
READ_SIZE = 65_536
UNFINISHED = "a TCP frame never finished"


class SyslogStreams:
    def __init__(
        self, on_frame: Callable[[tuple, bytes], None], on_bad: Callable[[tuple, str], None], frame_timeout_s: float
    ) -> None:
        """`on_frame(peer, frame)` for each whole frame, `on_bad(peer, reason)` for what is dropped;
        `peer` is the connection's (address, port, ...)."""
        self.on_frame, self.on_bad, self.frame_timeout_s = on_frame, on_bad, frame_timeout_s
        self.open = 0

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        peer = writer.get_extra_info("peername")
        if self.open >= MAX_TCP_CONNECTIONS:
            self.on_bad(peer, "too many TCP connections")
            writer.close()
            return
        self.open += 1
        try:
            await self._read(peer, reader)
        except BadInput as error:
            self.on_bad(peer, str(error))
        except (ConnectionError, OSError):
            pass  # the peer went away
        finally:
            self.open -= 1
            writer.close()

    async def _read(self, peer: tuple, reader: asyncio.StreamReader) -> None:
        framer, deadline = Framer(), None
        while True:
            timeout = None if deadline is None else max(0.0, deadline - time.monotonic())
            try:
                data = await asyncio.wait_for(reader.read(READ_SIZE), timeout)
            except TimeoutError:
                self.on_bad(peer, UNFINISHED)
                return
            if not data:
                if framer.pending:
                    self.on_bad(peer, UNFINISHED)
                return
            for frame in framer.feed(data):
                self.on_frame(peer, frame)
            if not framer.pending:
                deadline = None
            elif deadline is None:
                deadline = time.monotonic() + self.frame_timeout_s
