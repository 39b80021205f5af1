"""A probe's stream entries read as plain data; anything else is refused (counted and dropped).

The stream says which probe sent an entry, and so which site: an entry's own claims of
where it came from are never read. An SNMP check's entry carries its poll in the plain
form of netmon_probe.snmp.wire, read back and checked here: a malformed poll refuses the entry.
"""

import json
import math
from dataclasses import dataclass

from netmon_probe import keys
from netmon_probe.checks.core import Outcome
from netmon_probe.snmp import wire

MAX_ERROR_CHARS = 500


@dataclass(frozen=True)
class SiteRun:
    check_id: int
    slot: float  # unix s of the slot, on the probe's clock
    started: float
    outcome: Outcome
    sent: float | None  # the probe's clock as it sent the entry: its skew against Redis's


def _number(value, optional: bool = True) -> float | None:
    if value is None and optional:
        return None
    if type(value) not in (int, float) or not math.isfinite(value):
        raise ValueError("not a number")
    return float(value)


def field(fields: dict, name: str):
    return fields.get(name.encode(), fields.get(name))


def parsed(fields: dict) -> SiteRun | None:
    """The entry of a stream entry's fields, or None when it is not one a probe sends."""
    raw = field(fields, keys.ENTRY_FIELD)
    if raw is None or len(raw) > keys.MAX_ENTRY_BYTES:
        return None
    try:
        entry = json.loads(raw)
        sent = field(fields, keys.SENT_FIELD)
        sent = _number(float(sent)) if sent is not None else None
        if entry["type"] != "result" or type(entry["check"]) is not int or not isinstance(entry["details"], dict):
            return None
        outcome = Outcome(
            latency_ms=_number(entry.get("latency_ms")),
            loss_pct=_number(entry.get("loss_pct")),
            jitter_ms=_number(entry.get("jitter_ms")),
            error=str(entry.get("error") or "")[:MAX_ERROR_CHARS],
            details=entry["details"],
            device=wire.poll_of(entry["device"]) if entry.get("device") is not None else None,
        )
        slot, started = _number(entry["slot"], False), _number(entry["started"], False)
        return SiteRun(entry["check"], slot, started, outcome, sent)
    except (ValueError, KeyError, TypeError, RecursionError):
        return None
