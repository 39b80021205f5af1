"""SNMPv3 notifications (USM, authPriv) through pysnmp's engine, with the users of TrapUser.

pysnmp decrypts, checks the digest and answers INFORMs; what it refuses it only counts
in its USM statistics, so each datagram's reason is read from which counter moved.
"""

import logging
import time

from pyasn1.type import univ
from pysnmp.entity import config, engine
from pysnmp.entity.rfc3413 import ntfrcv
from pysnmp.proto.api import v2c

from events.ber import SNMP_TRAP_OID
from events.intake import Intake
from events.mibs import names
from events.sources import normal_address
from events.traps import event_of

logger = logging.getLogger(__name__)

AUTH = {"SHA": config.USM_AUTH_HMAC96_SHA, "SHA-256": config.USM_AUTH_HMAC192_SHA256}
PRIV = {"AES": config.USM_PRIV_CFB128_AES, "AES-256": config.USM_PRIV_CFB256_AES}
UNKNOWN_USER = "unknown SNMPv3 user"
# USM statistics -> the reason a datagram was refused. None: a step of an INFORM's engine
# discovery or time synchronisation (answered with a Report), which is no fault.
REFUSALS = {
    "usmStatsUnknownUserNames": UNKNOWN_USER,
    "usmStatsWrongDigests": "wrong SNMPv3 authentication",
    "usmStatsDecryptionErrors": "SNMPv3 decryption failed",
    "usmStatsUnsupportedSecLevels": "unsupported SNMPv3 security level",
    "usmStatsUnknownEngineIDs": None,
    "usmStatsNotInTimeWindows": None,
}
# (user, engine ID hex or "" for informs, auth protocol, auth password, priv protocol, priv password)
User = tuple[str, str, str, str, str, str]


def plain(value) -> object:
    if isinstance(value, univ.ObjectIdentifier):
        return str(value)
    if isinstance(value, univ.OctetString):
        return bytes(value)
    if isinstance(value, univ.Integer):
        return int(value)
    return None


class V3Receiver:
    def __init__(self, intake: Intake) -> None:
        self.intake = intake
        self.engine = engine.SnmpEngine()
        self.users: set[User] = set()
        self._delivered = False  # whether the datagram in hand reached _notified
        self._counters = self.engine.get_mib_builder().import_symbols("__SNMP-USER-BASED-SM-MIB", *REFUSALS)
        ntfrcv.NotificationReceiver(self.engine, self._notified)

    def attach(self, transport, domain) -> None:
        config.add_transport(self.engine, domain, transport)

    def receive(self, source: str, dispatch) -> None:
        """Hand one datagram to pysnmp (`dispatch()`), counting a refusal by its reason."""
        before = [int(counter.syntax) for counter in self._counters]
        self._delivered = False
        try:
            dispatch()
        except Exception as error:  # pysnmp raises on some malformed input instead of counting it
            self.intake.bad(source, f"malformed SNMPv3: {type(error).__name__}")
            return
        moved = [reason for reason, counter, was in zip(REFUSALS.values(), self._counters, before, strict=True)
                 if int(counter.syntax) != was]  # fmt: skip
        for reason in moved:
            if reason is not None:
                self.intake.bad(source, reason)
        if not moved and not self._delivered:  # pysnmp counts nothing for a user of no engine it knows
            self.intake.bad(source, UNKNOWN_USER)

    def _notified(self, snmp_engine, state, _context_engine, _context, varbinds, _ctx) -> None:
        _domain, address = snmp_engine.message_dispatcher.get_transport_info(state)
        pairs = [(str(oid), plain(value)) for oid, value in varbinds]
        trap_oid = next((value for oid, value in pairs if oid == SNMP_TRAP_OID), None)
        source = normal_address(address[0])
        self._delivered = True
        if not isinstance(trap_oid, str):
            self.intake.bad(source, "no snmpTrapOID")
            return
        self.intake.take(event_of(trap_oid, pairs, source, time.time(), names().name))

    def set_users(self, users: set[User]) -> None:
        """Make the engine's users these (called on the loop when TrapUser rows change)."""
        for user in self.users - users:
            for engine_id in {user[1], ""}:
                config.delete_v3_user(self.engine, user[0], securityEngineId=_engine(engine_id))
        for name, engine_id, auth, auth_key, priv, priv_key in users - self.users:
            # Traps are sent under the device's engine ID; informs under ours (the receiver is authoritative).
            for security_engine in {engine_id, ""}:
                try:
                    config.add_v3_user(self.engine, name, AUTH[auth], auth_key, PRIV[priv], priv_key,
                                       securityEngineId=_engine(security_engine))  # fmt: skip
                except Exception as error:  # a password under 8 characters, a bad engine ID
                    logger.error("SNMPv3 trap user %s not added: %s", name, error)
        self.users = users


def _engine(engine_id: str):
    return v2c.OctetString(hexValue=engine_id) if engine_id else None
