"""The catalogue as a Markdown page: one section per socket, its frame types each way."""

from core.contracts.protocol.catalogue import FRAMES
from core.contracts.protocol.sockets import SOCKETS
from core.contracts.protocol.spec import ANY_TYPE, CLIENT_TO_SERVER, SERVER_TO_CLIENT, Field, FrameType, Socket

INTRO = """\
# WebSocket protocol

Generated from the frame catalogue in `core/contracts/protocol/`: every socket, and every frame
type each way. Every frame is one JSON object with a string `"type"`. A frame a socket
cannot use is answered with an `error` frame and the socket stays usable, unless a close
code below follows.
"""
HEADINGS = {SERVER_TO_CLIENT: "Server to client", CLIENT_TO_SERVER: "Client to server"}


def markdown() -> str:
    return "\n".join([INTRO, *(_socket(socket) for socket in SOCKETS.values())])


def _socket(socket: Socket) -> str:
    lines = [f"## `{socket.path}`", "", socket.meaning, "", f"**Who may open it.** {socket.who}", ""]
    lines += [f"**Served by** `{socket.consumer}`.", ""]
    first = [t for t in _types(socket, SERVER_TO_CLIENT) if t.on_connect]
    if first:
        sent = "; ".join(f"`{t.name}` ({t.on_connect})" for t in first)
        lines += [f"**Sent first, on connect:** {sent}.", ""]
    if socket.closes:
        lines += ["| close code | when |", "|---|---|"]
        lines += [f"| {code} | {why} |" for code, why in socket.closes]
        lines.append("")
    for direction, heading in HEADINGS.items():
        lines += [f"### {heading}", ""]
        lines += [_frame_type(t) for t in _types(socket, direction)]
    return "\n".join(lines)


def _types(socket: Socket, direction: str) -> list[FrameType]:
    return [t for t in FRAMES.values() if t.direction == direction and socket.path in t.sockets]


def _frame_type(declared: FrameType) -> str:
    name = "any other type" if declared.name == ANY_TYPE else f"`{declared.name}`"
    role = "Sent by" if declared.direction == SERVER_TO_CLIENT else "Handled by"
    modules = ", ".join(f"`{module}`" for module in declared.sender)
    lines = [f"#### {name}", "", declared.meaning, "", f"{role} {modules}.", ""]
    if declared.fields:
        lines += ["| field | type | required | meaning |", "|---|---|---|---|"]
        lines += _rows(declared.fields, prefix="")
        lines.append("")
    return "\n".join(lines)


def _rows(fields: tuple[Field, ...], prefix: str) -> list[str]:
    rows = []
    for field in fields:
        name = prefix + field.name
        required = "yes" if field.required else "no"
        rows.append(f"| `{name}` | {field.kind} | {required} | {field.meaning.replace('|', '/')} |")
        inner = name + ("[]." if field.kind.startswith("array") else ".")
        rows += _rows(field.members, inner)
    return rows
