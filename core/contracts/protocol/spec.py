"""The shapes the protocol catalogue is written in: a socket, a frame type, a field."""

from dataclasses import dataclass
from functools import cached_property
from typing import Literal

Direction = Literal["server->client", "client->server"]
SERVER_TO_CLIENT: Direction = "server->client"
CLIENT_TO_SERVER: Direction = "client->server"
# The one frame type that is not a fixed name: /ws/echo/ sends back whatever type it is sent.
ANY_TYPE = "*"


@dataclass(frozen=True)
class Field:
    name: str
    kind: str  # its JSON type as a reader writes it: "string", "integer", "number | null", "array of objects"
    meaning: str
    required: bool = True
    members: tuple["Field", ...] = ()  # the fields of an object, or of each object in an array


@dataclass(frozen=True)
class FrameType:
    name: str  # the frame's "type"
    direction: Direction
    sockets: tuple[str, ...]  # Socket.path of each socket it travels on
    sender: tuple[str, ...]  # the modules that build it (server->client) or handle it (client->server)
    meaning: str
    fields: tuple[Field, ...] = ()
    on_connect: str = ""  # how it is part of what a new socket is sent first, if it is

    @cached_property  # read on every frame built
    def required(self) -> frozenset[str]:
        return frozenset(f.name for f in self.fields if f.required)

    @cached_property
    def allowed(self) -> frozenset[str]:
        return frozenset(f.name for f in self.fields)


@dataclass(frozen=True)
class Socket:
    path: str
    who: str  # who may open it
    meaning: str
    consumer: str  # the consumer class that serves it, dotted
    closes: tuple[tuple[int, str], ...] = ()  # the close codes it uses, and why


def field(name: str, kind: str, meaning: str, *members: Field, required: bool = True) -> Field:
    """A field, written in one line of the catalogue."""
    return Field(name, kind, meaning, required, members)


def optional(name: str, kind: str, meaning: str, *members: Field) -> Field:
    return Field(name, kind, meaning, False, members)
