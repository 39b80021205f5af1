"""A decoded notification as an event: its name, its varbinds by name, its severity, and
what it says about a port (linkDown, linkUp) or the device (coldStart, warmStart)."""

from events.ber import SNMP_TRAP_OID, SYS_UPTIME
from events.models import Severity
from events.received import Received

COLD_START, WARM_START = "1.3.6.1.6.3.1.1.5.1", "1.3.6.1.6.3.1.1.5.2"
LINK_DOWN, LINK_UP = "1.3.6.1.6.3.1.1.5.3", "1.3.6.1.6.3.1.1.5.4"
AUTHENTICATION_FAILURE = "1.3.6.1.6.3.1.1.5.5"
IF_INDEX = "1.3.6.1.2.1.2.2.1.1."
IF_PORT_COLUMNS = ("1.3.6.1.2.1.2.2.1.7.", "1.3.6.1.2.1.2.2.1.8.", "1.3.6.1.2.1.2.2.1.2.")  # admin, oper, descr
SEVERITIES = {
    LINK_DOWN: Severity.WARNING,
    AUTHENTICATION_FAILURE: Severity.WARNING,
    COLD_START: Severity.NOTICE,
    WARM_START: Severity.NOTICE,
    LINK_UP: Severity.NOTICE,
}
MAX_VALUE = 512  # characters of one varbind's value kept


def text_of(value) -> str:
    if isinstance(value, bytes):
        try:
            text = value.decode()
        except UnicodeDecodeError:
            return value.hex(":")[: MAX_VALUE * 3]
        return (text if text.isprintable() else value.hex(":")).replace("\x00", "")[:MAX_VALUE]
    return "" if value is None else str(value)[:MAX_VALUE]


def if_index(varbinds: list[tuple[str, object]]) -> int | None:
    for oid, value in varbinds:
        if oid.startswith(IF_INDEX) and isinstance(value, int):
            return value
        for column in IF_PORT_COLUMNS:
            if oid.startswith(column) and oid[len(column) :].isdigit():
                return int(oid[len(column) :])
    return None


def event_of(trap_oid: str, varbinds: list[tuple[str, object]], source: str, ts: float, name) -> Received:
    """`name(oid)` gives an OID's MIB name (events.mibs)."""
    shown = [(oid, value) for oid, value in varbinds if oid not in (SYS_UPTIME, SNMP_TRAP_OID)]
    named = [[name(oid), text_of(value)] for oid, value in shown]
    trap_name = name(trap_oid)
    event = Received(
        ts=ts, kind="trap", source=source, severity=SEVERITIES.get(trap_oid, Severity.NOTICE),
        text=" ".join(f"{key}={value}" for key, value in named)[:4000], trap_oid=trap_oid,
        trap_name=trap_name if trap_name != trap_oid else "", varbinds=named,
    )  # fmt: skip
    if trap_oid in (LINK_DOWN, LINK_UP) and (index := if_index(shown)) is not None:
        event.link = (index, trap_oid == LINK_UP)
    event.reboot = trap_oid in (COLD_START, WARM_START)
    return event
