"""An event as the receiver took it, before it is a row: plain data passed from the loop to the writer."""

from dataclasses import dataclass, field


@dataclass
class Received:
    ts: float  # unix seconds, when the receiver took it
    kind: str  # "trap" or "syslog"
    source: str  # the address it came from
    severity: int
    text: str
    facility: int | None = None
    app: str = ""
    trap_oid: str = ""
    trap_name: str = ""
    varbinds: list[list[str]] = field(default_factory=list)  # [name or OID, value as text]
    device: int | None = None  # host id, stamped from the source (events.sources)
    link: tuple[int, bool] | None = None  # (ifIndex, up) of a linkDown / linkUp
    reboot: bool = False  # coldStart / warmStart

    @property
    def name(self) -> str:
        return self.trap_name or self.trap_oid or self.app

    def live_fields(self) -> dict:
        """The event as the "events" frame carries it (core.contracts.protocol)."""
        return {"ts": self.ts, "kind": self.kind, "severity": self.severity, "facility": self.facility,
                "source": self.source, "name": self.name, "text": self.text}  # fmt: skip
