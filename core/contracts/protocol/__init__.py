"""The WebSocket protocol's one owner: the sockets, the frame types each way, and their fields.

`frame(kind, **fields)` builds a server->client frame checked against the catalogue;
`markdown()` renders the catalogue as the docs' protocol page.
"""

from core.contracts.protocol.build import FrameError, frame
from core.contracts.protocol.catalogue import FRAMES
from core.contracts.protocol.markdown import markdown
from core.contracts.protocol.sockets import SOCKETS

__all__ = ["FRAMES", "SOCKETS", "FrameError", "frame", "markdown"]
