"""A small SNMP client: GET and a multi-column GETBULK walk, for v2c (netmon_probe.snmp.v2c)
and v3 (netmon_probe.snmp.v3) alike. Errors become SnmpFailed with a reason an
operator can act on; credentials never appear in them.
"""

from dataclasses import dataclass

from netmon_probe.snmp.v2c import NO_ANSWER, V2cExchange
from netmon_probe.snmp.v3 import AUTH_PROTOCOLS, PRIV_PROTOCOLS, V3Exchange
from netmon_probe.snmp.values import END

__all__ = ["AUTH_PROTOCOLS", "PRIV_PROTOCOLS", "Credentials", "Session", "no_answer"]


@dataclass(frozen=True)
class Credentials:
    version: str  # "2c" or "3"
    community: str = ""
    user: str = ""
    auth_protocol: str = "SHA"
    auth_password: str = ""
    priv_protocol: str = "AES"
    priv_password: str = ""

    def __repr__(self) -> str:  # never the secrets
        return f"Credentials(version={self.version!r}, user={self.user!r})"


def no_answer(version: str) -> str:
    """Why a device said nothing, as far as can be told."""
    return NO_ANSWER if version == "2c" else "no SNMP answer: no agent on that port, or it ignores this user"


class Session:
    """Requests to one agent with one set of credentials."""

    def __init__(self, exchange, max_repetitions: int) -> None:
        self._exchange = exchange
        self._max_repetitions = max_repetitions

    @classmethod
    async def open(cls, credentials: Credentials, family: int, ip: str, port: int, timeout_s: float, retries: int,
                   max_repetitions: int = 25) -> "Session":  # fmt: skip
        if credentials.version == "2c":
            exchange = V2cExchange(credentials.community, family, ip, port, timeout_s, retries)
        else:
            exchange = await V3Exchange.open(credentials, family, ip, port, timeout_s, retries)
        return cls(exchange, max_repetitions)

    async def get(self, *oids: str) -> dict[str, object]:
        """oid -> value; an object the device does not have is left out."""
        varbinds = await self._exchange.get(list(oids))
        return {oid: value for oid, value in varbinds if value is not None and value is not END}

    async def walk(self, columns: list[str], first: str | None = None) -> tuple[object | None, dict[str, dict]]:
        """Every row of `columns` (columns of one table), with GETBULK.

        Returns (the value of the scalar `first`, read as a non-repeater in the first
        request; column -> {index: value}). An index is an int for a table indexed by
        one number (ifTable), else a tuple of its numbers (LLDP's three). Ends a column
        at its last row.
        """
        rows: dict[str, dict] = {column: {} for column in columns}
        cursors = {column: column for column in columns}
        scalar = None
        for _ in range(10_000):  # bounded: 10,000 requests of a whole table at most
            pending = [column for column in columns if cursors[column] is not None]
            if not pending:
                break
            non_repeaters = 1 if first else 0
            asked = ([first.rsplit(".", 1)[0]] if first else []) + [cursors[column] for column in pending]
            varbinds = await self._exchange.bulk(non_repeaters, self._max_repetitions, asked)
            if first:
                _, scalar = varbinds[0] if varbinds else (None, None)
                varbinds, first = varbinds[1:], None
            advanced = {column: False for column in pending}
            for position, (oid, value) in enumerate(varbinds):
                column = pending[position % len(pending)]
                if cursors[column] is None:
                    continue
                if value is END or value is None or not oid.startswith(column + "."):
                    cursors[column] = None
                    continue
                rows[column][_index(oid[len(column) + 1 :])] = value
                cursors[column], advanced[column] = oid, True
            for column, moved in advanced.items():
                if not moved:
                    cursors[column] = None  # an agent that answers nothing new for a column ends it
        return scalar, rows


def _index(suffix: str) -> int | tuple[int, ...]:
    numbers = tuple(int(part) for part in suffix.split("."))
    return numbers[0] if len(numbers) == 1 else numbers
