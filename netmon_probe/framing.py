"""Syslog over TCP (RFC 6587): frames by octet counting ("LEN SP MSG") or ended by a newline.

A stream is fed in pieces as they arrive; whole frames come out. Pure, and shared by the
centre's receiver (events.syslog_listeners) and the probe's (netmon_probe.syslog_tcp),
which close a connection whose frame grows past MAX_FRAME or never ends.
"""

MAX_MESSAGE = 8192  # bytes; RFC 5424 asks receivers to take at least 2048, rsyslog's default is 8k
MAX_FRAME = MAX_MESSAGE


class BadInput(ValueError):
    """A stream that cannot be framed; str() is the reason counted per source."""


_MAX_LENGTH_DIGITS = len(str(MAX_FRAME))


class Framer:
    def __init__(self) -> None:
        self._buffer = bytearray()

    @property
    def pending(self) -> int:
        """Bytes of a frame begun but not finished."""
        return len(self._buffer)

    def feed(self, data: bytes) -> list[bytes]:
        """The frames `data` completes; raises BadInput when the stream cannot be framed."""
        self._buffer += data
        frames = []
        while self._buffer:
            frame = self._next()
            if frame is None:
                break
            if frame:
                frames.append(frame)
        if len(self._buffer) > MAX_FRAME + _MAX_LENGTH_DIGITS + 1:
            raise BadInput("oversized frame")
        return frames

    def _next(self) -> bytes | None:
        if self._buffer[:1].isdigit():
            return self._counted()
        end = self._buffer.find(b"\n")
        if end < 0:
            return None
        frame = bytes(self._buffer[:end]).rstrip(b"\r")
        del self._buffer[: end + 1]
        return frame

    def _counted(self) -> bytes | None:
        space = self._buffer.find(b" ", 0, _MAX_LENGTH_DIGITS + 1)
        if space < 0:
            if len(self._buffer) > _MAX_LENGTH_DIGITS:
                raise BadInput("bad octet count")
            return None
        digits = bytes(self._buffer[:space])
        if not digits.isdigit() or int(digits) > MAX_FRAME:
            raise BadInput("bad octet count")
        end = space + 1 + int(digits)
        if len(self._buffer) < end:
            return None
        frame = bytes(self._buffer[space + 1 : end])
        del self._buffer[:end]
        return frame
