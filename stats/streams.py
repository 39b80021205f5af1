"""The agents' streams as the server reads them: who is registered, and their frames, stamped.

An agent appends frames to its own stream; only its credentials can write there.
The server therefore trusts the stream, never the frame, for who sent it: every frame
is given the stream's agent name as its "host" before anyone else sees it.
"""

import json
import math

import orjson
from django.conf import settings

from core.contracts import protocol
from netmon_agent import keys

# A frame larger than this is refused (a healthy one is a few KB, hundreds of interfaces included).
MAX_FRAME_BYTES = 256 * 1024


def registry_key() -> str:
    """The set of registered agent names, kept by `manage.py agents`."""
    return f"{settings.REDIS_PREFIX}:agents"


def registered(members) -> set[str]:
    """The agent names in the registry's members (SMEMBERS), valid ones only."""
    return {name for name in map(as_text, members) if keys.NAME.fullmatch(name)}


def frames_key(name: str) -> str:
    return keys.frames_key(settings.REDIS_PREFIX, name)


def lease_key(name: str) -> str:
    return keys.lease_key(settings.REDIS_PREFIX, name)


def offline_key() -> str:
    """Hash of the agents now offline -> since when (unix s), for dashboards that connect later."""
    return f"{settings.REDIS_PREFIX}:stats:offline"


def as_text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value


def _refuse_constant(name: str) -> None:
    raise ValueError(f"{name} is not a number a frame may hold")


def stamped(name: str, fields: dict) -> dict | None:
    """The frame of a stream entry with `name` as its host, or None when it is not a stats frame."""
    raw = fields.get(keys.FRAME_FIELD.encode(), fields.get(keys.FRAME_FIELD))
    if raw is None or len(raw) > MAX_FRAME_BYTES:
        return None
    try:
        frame = _decoded(raw)
    except (ValueError, RecursionError):
        return None
    if not isinstance(frame, dict) or frame.get("type") != "stats":
        return None
    ts = frame.get("ts")
    if type(ts) not in (int, float) or not _finite(ts):
        return None
    frame["host"] = name  # whatever the frame claims, it came from this agent's stream
    return frame


def _decoded(raw: bytes | str):
    """JSON decoded by orjson (a quarter of the json module's time: the ingest decodes every frame).

    What orjson refuses (numbers beyond a double, lone surrogates, deep nesting) is left to the json
    module, NaN and Infinity still refused, so a frame is refused for the same reason as before.
    Integers beyond 64 bits come back as floats, as a browser reads them.
    """
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError:
        return json.loads(raw, parse_constant=_refuse_constant)


def _finite(number: int | float) -> bool:
    try:
        return math.isfinite(number)
    except OverflowError:  # an int beyond what a float holds
        return False


def encode(frame: dict) -> str:
    """The frame as it goes on the wire: encoded once, sent as-is to every dashboard.

    orjson takes a tenth of the json module's time; an integer beyond 64 bits (a frame may hold
    one up to float32's range) is left to the json module.
    """
    try:
        return orjson.dumps(frame).decode()
    except TypeError:
        return json.dumps(frame, separators=(",", ":"), allow_nan=False)


def entry_position(entry_id: bytes | str) -> tuple[int, int]:
    """A stream entry id ("1700000000000-3") as a comparable pair."""
    millis, _, seq = as_text(entry_id).partition("-")
    return int(millis), int(seq or 0)


def state_frame(name: str, online: bool, since: float) -> str:
    """An agent went offline (its last frame at `since`) or came back."""
    return encode(protocol.frame("agent_state", host=name, online=online, since=round(since, 3)))
