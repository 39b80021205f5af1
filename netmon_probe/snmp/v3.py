"""SNMPv3 (USM authPriv) requests on pysnmp's asyncio API.

One SnmpEngine per event loop (the checks worker has one loop). Values come back as
plain Python values (netmon_probe.snmp.values), errors as SnmpFailed.
"""

import socket
from collections.abc import Callable

from pyasn1.type import univ
from pysnmp.hlapi.v3arch import asyncio as snmp
from pysnmp.proto import rfc1905

from netmon_probe.per_loop import per_loop
from netmon_probe.snmp.errors import SnmpFailed
from netmon_probe.snmp.values import END

AUTH_PROTOCOLS = {"SHA": snmp.usmHMACSHAAuthProtocol, "SHA-256": snmp.usmHMAC192SHA256AuthProtocol}
PRIV_PROTOCOLS = {"AES": snmp.usmAesCfb128Protocol, "AES-256": snmp.usmAesCfb256Protocol}
NO_SUCH = (rfc1905.NoSuchObject, rfc1905.NoSuchInstance)

engine: Callable[[], snmp.SnmpEngine] = per_loop(snmp.SnmpEngine)


class V3Exchange:
    def __init__(self, credentials, target) -> None:
        self._auth = snmp.UsmUserData(
            credentials.user,
            credentials.auth_password,
            credentials.priv_password,
            authProtocol=AUTH_PROTOCOLS[credentials.auth_protocol],
            privProtocol=PRIV_PROTOCOLS[credentials.priv_protocol],
        )
        self._target = target

    @classmethod
    async def open(cls, credentials, family: int, ip: str, port: int, timeout_s: float, retries: int):
        transport = snmp.Udp6TransportTarget if family == socket.AF_INET6 else snmp.UdpTransportTarget
        return cls(credentials, await transport.create((ip, port), timeout=timeout_s, retries=retries))

    async def get(self, oids: list[str]) -> list[tuple[str, object]]:
        answer = await snmp.get_cmd(engine(), self._auth, self._target, snmp.ContextData(), *_objects(oids),
                                    lookupMib=False)  # fmt: skip
        return _varbinds(answer)

    async def bulk(self, non_repeaters: int, max_repetitions: int, oids: list[str]) -> list[tuple[str, object]]:
        answer = await snmp.bulk_cmd(engine(), self._auth, self._target, snmp.ContextData(), non_repeaters,
                                     max_repetitions, *_objects(oids), lookupMib=False)  # fmt: skip
        return _varbinds(answer)


def _varbinds(answer) -> list[tuple[str, object]]:
    error, status, _, varbinds = answer
    if error:
        raise SnmpFailed(describe_error(str(error)))
    if status:
        raise SnmpFailed(f"the device answered {status.prettyPrint()}")
    return [(str(oid), _plain(value)) for oid, value in varbinds]


def _plain(value):
    """int, bytes, an OID as text, None (no such object) or END (netmon_probe.snmp.values)."""
    if isinstance(value, rfc1905.EndOfMibView):
        return END
    if isinstance(value, NO_SUCH):
        return None
    if isinstance(value, univ.ObjectIdentifier):
        return str(value)
    if isinstance(value, univ.OctetString):  # IpAddress and Opaque too
        return bytes(value)
    return int(value)


def describe_error(indication: str) -> str:
    """An operator's reason for a pysnmp error indication."""
    lowered = indication.lower()
    if "timeout" in lowered or "no snmp response" in lowered:
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


def _objects(oids) -> list:
    return [snmp.ObjectType(snmp.ObjectIdentity(oid)) for oid in oids]
