"""The names an agent and the server agree on: its Redis user, its keys, its stream.

Agent NAME has two keys, "<prefix>:agent:NAME:frames" and "<prefix>:agent:NAME:lease",
and its ACL names exactly these two. A name cannot hold ":" or a glob character, so no
name's keys are another agent's.
"""

import re

DEFAULT_PREFIX = "netmon"
NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,62}")
NAME_RULE = "1-63 characters: letters, digits, '.', '_' and '-', starting with a letter or digit"
# An hour of 1 Hz frames, plus a margin: what waits in Redis while the database is away.
STREAM_MAXLEN = 4000
# The one field of a stream entry: the frame as JSON text.
FRAME_FIELD = "frame"


def check_name(name: str) -> str:
    if not NAME.fullmatch(name):
        raise ValueError(f"invalid agent name {name!r}: {NAME_RULE}")
    return name


def glob_escape(text: str) -> str:
    """`text` matched literally by a Redis glob pattern."""
    return re.sub(r"([*?\[\]\\])", r"\\\1", text)


def redis_user(prefix: str, name: str) -> str:
    return f"{prefix}-agent-{check_name(name)}"


def frames_key(prefix: str, name: str) -> str:
    return f"{prefix}:agent:{check_name(name)}:frames"


def lease_key(prefix: str, name: str) -> str:
    """Held by the running agent of that name, so that a second one is refused."""
    return f"{prefix}:agent:{check_name(name)}:lease"
