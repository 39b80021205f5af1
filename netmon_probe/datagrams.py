"""A datagram a probe's receiver took, as it travels raw to the centre in the probe's datagram stream.

Plain data and pure functions, shared by the probe (which writes entries) and the centre
(which reads them): the payload is not decoded on the probe, so the centre's own decoders
read it exactly as if its own receiver had taken it.
"""

import base64
import binascii
import json
import math
from dataclasses import dataclass

TRAP, SYSLOG, NETFLOW, SFLOW = "trap", "syslog", "netflow", "sflow"
RECEIVERS = (TRAP, SYSLOG, NETFLOW, SFLOW)
MAX_PAYLOAD = 65_535  # one UDP datagram
MAX_ENTRY_CHARS = 4 * MAX_PAYLOAD // 3 + 512


class BadEntry(ValueError):
    """Not a datagram entry a probe writes; str() is the reason counted at the centre."""


@dataclass(frozen=True)
class Datagram:
    receiver: str  # one of RECEIVERS
    source: str  # the sender's address as the probe saw it
    port: int  # the sender's port
    received: float  # unix s on the probe's clock, when its receiver took the datagram
    payload: bytes


def entry_text(datagram: Datagram) -> str:
    entry = {
        "type": "datagram",
        "receiver": datagram.receiver,
        "source": datagram.source,
        "port": datagram.port,
        "received": round(datagram.received, 6),
        "payload": base64.b64encode(datagram.payload).decode(),
    }
    return json.dumps(entry, separators=(",", ":"))


def parsed(text: str | bytes) -> Datagram:
    """The datagram of an entry's text; raises BadEntry with the reason."""
    if len(text) > MAX_ENTRY_CHARS:
        raise BadEntry("oversized entry")
    try:
        entry = json.loads(text)
        receiver, source, port, received = entry["receiver"], entry["source"], entry["port"], entry["received"]
        payload = base64.b64decode(entry["payload"], validate=True)
    except (ValueError, KeyError, TypeError, binascii.Error, RecursionError):
        raise BadEntry("not a datagram entry") from None
    if entry.get("type") != "datagram" or receiver not in RECEIVERS:
        raise BadEntry("unknown receiver")
    if not isinstance(source, str) or not source or len(source) > 64 or type(port) is not int:
        raise BadEntry("bad source")
    if type(received) not in (int, float) or not math.isfinite(received) or not payload:
        raise BadEntry("bad time or empty payload")
    return Datagram(receiver, source, port, float(received), payload)
