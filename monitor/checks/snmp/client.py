"""A small SNMP client on pysnmp's asyncio API: GET and a multi-column GETBULK walk.

One SnmpEngine per event loop (the checks worker has one loop). Errors become
CheckFailed with a reason an operator can act on; credentials never appear in them.
"""

import asyncio
import socket
import weakref
from dataclasses import dataclass

from pysnmp.hlapi.v3arch import asyncio as snmp
from pysnmp.proto import rfc1905

from monitor.checks.base import CheckFailed

AUTH_PROTOCOLS = {"SHA": snmp.usmHMACSHAAuthProtocol, "SHA-256": snmp.usmHMAC192SHA256AuthProtocol}
PRIV_PROTOCOLS = {"AES": snmp.usmAesCfb128Protocol, "AES-256": snmp.usmAesCfb256Protocol}
END_OF_TABLE = (rfc1905.EndOfMibView, rfc1905.NoSuchObject, rfc1905.NoSuchInstance)

_engines: "weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, snmp.SnmpEngine]" = weakref.WeakKeyDictionary()


def engine() -> snmp.SnmpEngine:
    loop = asyncio.get_running_loop()
    if loop not in _engines:
        _engines[loop] = snmp.SnmpEngine()
    return _engines[loop]


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

    def auth_data(self):
        if self.version == "2c":
            return snmp.CommunityData(self.community, mpModel=1)
        return snmp.UsmUserData(
            self.user,
            self.auth_password,
            self.priv_password,
            authProtocol=AUTH_PROTOCOLS[self.auth_protocol],
            privProtocol=PRIV_PROTOCOLS[self.priv_protocol],
        )


class Session:
    """Requests to one agent with one set of credentials."""

    def __init__(self, credentials: Credentials, target, max_repetitions: int) -> None:
        self.credentials = credentials
        self._auth = credentials.auth_data()
        self._target = target
        self._max_repetitions = max_repetitions

    @classmethod
    async def open(
        cls, credentials, family: int, ip: str, port: int, timeout_s: float, retries: int, max_repetitions=25
    ):
        transport = snmp.Udp6TransportTarget if family == socket.AF_INET6 else snmp.UdpTransportTarget
        target = await transport.create((ip, port), timeout=timeout_s, retries=retries)
        return cls(credentials, target, max_repetitions)

    async def get(self, *oids: str) -> dict[str, object]:
        """oid -> value; an object the device does not have is left out."""
        answer = await snmp.get_cmd(engine(), self._auth, self._target, snmp.ContextData(), *_objects(oids),
                                    lookupMib=False)  # fmt: skip
        return {str(oid): value for oid, value in self._varbinds(answer) if not isinstance(value, END_OF_TABLE)}

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
            answer = await snmp.bulk_cmd(engine(), self._auth, self._target, snmp.ContextData(), non_repeaters,
                                         self._max_repetitions, *_objects(asked), lookupMib=False)  # fmt: skip
            varbinds = self._varbinds(answer)
            if first:
                oid, scalar = varbinds[0] if varbinds else (None, None)
                varbinds, first = varbinds[1:], None
            advanced = {column: False for column in pending}
            for position, (oid, value) in enumerate(varbinds):
                column = pending[position % len(pending)]
                if cursors[column] is None:
                    continue
                oid = str(oid)
                if isinstance(value, END_OF_TABLE) or not oid.startswith(column + "."):
                    cursors[column] = None
                    continue
                rows[column][_index(oid[len(column) + 1 :])] = value
                cursors[column], advanced[column] = oid, True
            for column, moved in advanced.items():
                if not moved:
                    cursors[column] = None  # an agent that answers nothing new for a column ends it
        return scalar, rows

    def _varbinds(self, answer) -> list:
        error, status, _, varbinds = answer
        if error:
            raise CheckFailed(describe_error(str(error), self.credentials.version))
        if status:
            raise CheckFailed(f"the device answered {status.prettyPrint()}")
        return list(varbinds)


def describe_error(indication: str, version: str) -> str:
    """An operator's reason for a pysnmp error indication."""
    lowered = indication.lower()
    if "timeout" in lowered or "no snmp response" in lowered:
        if version == "2c":
            return "no SNMP answer: wrong community, or no agent on that port"
        return "no SNMP answer: no agent on that port, or it ignores this user"
    if "digest" in lowered or "authentication" in lowered:
        return "SNMPv3 authentication failed: wrong auth password or protocol"
    if "decrypt" in lowered:
        return "SNMPv3 decryption failed: wrong privacy password or protocol"
    if "unknown" in lowered and "user" in lowered:
        return "SNMPv3 user unknown to the device"
    if "time window" in lowered:
        return "SNMPv3 message outside the device's time window"
    return f"SNMP error: {indication}"[:300]


def _index(suffix: str) -> int | tuple[int, ...]:
    numbers = tuple(int(part) for part in suffix.split("."))
    return numbers[0] if len(numbers) == 1 else numbers


def _objects(oids) -> list:
    return [snmp.ObjectType(snmp.ObjectIdentity(oid)) for oid in oids]
