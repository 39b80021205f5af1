"""Frames are built here, checked against the catalogue."""

from core.contracts.protocol.catalogue import FRAMES
from core.contracts.protocol.spec import SERVER_TO_CLIENT


class FrameError(ValueError):
    """A sender built a frame the catalogue does not describe: a mistake in the code, not in input."""


def frame(kind: str, **fields) -> dict:
    """`{"type": kind, **fields}`, for a server->client type of the catalogue with its required fields
    and no others. Checked on every build: a few set operations per frame built, never per socket
    it goes to (frames are encoded once and the text passed through)."""
    declared = FRAMES.get((SERVER_TO_CLIENT, kind))
    if declared is None:
        raise FrameError(f"{kind!r} is not a server->client frame type of the catalogue")
    names = fields.keys()
    if missing := declared.required - names:
        raise FrameError(f"a {kind!r} frame needs {', '.join(sorted(missing))}")
    if unknown := names - declared.allowed:
        raise FrameError(f"a {kind!r} frame has no {', '.join(sorted(unknown))}")
    return {"type": kind, **fields}
