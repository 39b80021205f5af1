"""Syslog messages (RFC 5424 and the older BSD form of RFC 3164) as plain data.

Pure functions: no Django, no sockets. `parse` returns a Message or raises BadInput
with a short reason, which the receiver counts per source (events.bad_input).
Invalid UTF-8 is not a reason to lose what a device said: the message is kept with
U+FFFD in place of the bad bytes, and `invalid_utf8` says so for counting.
"""

import re
from dataclasses import dataclass

from netmon_probe import framing

MAX_MESSAGE = framing.MAX_MESSAGE
_PRI = re.compile(rb"<(\d{1,3})>")
_MONTHS = b"Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()
# RFC 3164: "Mmm dd hh:mm:ss " (day padded with a space), then HOSTNAME and TAG.
_BSD_STAMP = re.compile(rb"([A-Z][a-z]{2}) ([ \d]\d) (\d\d:\d\d:\d\d) ")
_TAG = re.compile(r"([^\s:\[]{1,48})(?:\[[^\]]{0,32}\])?:\s?")


class BadInput(framing.BadInput):
    """What cannot be read as a message; str() is the reason counted per source (as a stream that
    cannot be framed is: one `except` for both)."""


@dataclass(frozen=True)
class Message:
    facility: int
    severity: int
    hostname: str
    app: str
    text: str
    invalid_utf8: bool = False


def parse(data: bytes) -> Message:
    if not data.strip():
        raise BadInput("empty message")
    if len(data) > MAX_MESSAGE:
        raise BadInput("oversized message")
    match = _PRI.match(data)
    if not match:
        raise BadInput("no priority")
    priority = int(match[1])
    if priority > 191:
        raise BadInput("priority out of range")
    rest = data[match.end() :]
    if rest[:2] == b"1 ":
        return _rfc5424(priority, rest[2:])
    return _rfc3164(priority, rest)


def _decode(raw: bytes) -> tuple[str, bool]:
    # NUL is kept out: PostgreSQL text cannot hold it.
    try:
        return raw.decode().replace("\x00", "\ufffd"), False
    except UnicodeDecodeError:
        return raw.decode(errors="replace").replace("\x00", "\ufffd"), True


def _nil(token: bytes) -> bytes:
    return b"" if token == b"-" else token


def _rfc5424(priority: int, rest: bytes) -> Message:
    # TIMESTAMP HOSTNAME APP-NAME PROCID MSGID STRUCTURED-DATA [MSG]
    parts = rest.split(b" ", 5)
    if len(parts) < 6:
        if len(parts) == 5:  # no MSG and no trailing space: STRUCTURED-DATA ends the line
            parts.append(b"")
        else:
            raise BadInput("truncated RFC 5424 header")
    _stamp, hostname, app, _procid, _msgid, tail = parts
    text = _skip_structured_data(tail)
    if text.startswith(b"\xef\xbb\xbf"):  # the BOM RFC 5424 puts before a UTF-8 MSG
        text = text[3:]
    decoded, bad = _decode(text)
    host, bad_host = _decode(_nil(hostname)[:255])
    app_name, bad_app = _decode(_nil(app)[:48])
    return Message(priority >> 3, priority & 7, host, app_name, decoded.strip(), bad or bad_host or bad_app)


def _skip_structured_data(tail: bytes) -> bytes:
    """MSG after STRUCTURED-DATA: "-" or one or more [id param="value" ...] elements."""
    if tail.startswith(b"-"):
        return tail[2:] if tail[1:2] == b" " else tail[1:]
    if not tail.startswith(b"["):
        raise BadInput("bad RFC 5424 structured data")
    position, quoted, escaped = 0, False, False
    while position < len(tail):
        byte = tail[position]
        if escaped:
            escaped = False
        elif byte == 0x5C:  # backslash escapes ", \ and ] inside a value
            escaped = quoted
        elif byte == 0x22:
            quoted = not quoted
        elif byte == 0x5D and not quoted and tail[position + 1 : position + 2] != b"[":
            return tail[position + 2 :]
        position += 1
    raise BadInput("unterminated RFC 5424 structured data")


def _rfc3164(priority: int, rest: bytes) -> Message:
    hostname = b""
    stamp = _BSD_STAMP.match(rest)
    if stamp and stamp[1] in _MONTHS:
        rest = rest[stamp.end() :]
        first, _, after = rest.partition(b" ")
        # A HOSTNAME has no colon or bracket; without one the TAG follows the stamp at once.
        if after and not first.endswith(b":") and b"[" not in first:
            hostname, rest = first, after
    text, bad = _decode(rest)
    host, bad_host = _decode(hostname[:255])
    app = ""
    tag = _TAG.match(text)
    if tag:
        app, text = tag[1], text[tag.end() :]
    return Message(priority >> 3, priority & 7, host, app, text.strip(), bad or bad_host)
