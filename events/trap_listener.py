"""SNMP notifications on one UDP socket: v1 and v2c read here (events.ber), v3 handed to pysnmp.

The socket is pysnmp's own transport, so that pysnmp's engine can answer v3 INFORMs
and engine-ID discovery on it; every datagram passes the size check and the source's
rate first. v2c INFORMs are answered here once read.
"""

import socket
import time

from django.conf import settings
from pysnmp.carrier.asyncio.dgram import udp, udp6

from events import ber
from events.intake import Intake
from events.mibs import names
from events.sources import normal_address
from events.trap_v3 import V3Receiver
from events.traps import event_of

MAX_DATAGRAM = 16_384  # bytes; larger ones are counted and dropped
RECEIVE_BUFFER = 8 << 20  # a burst waits here while the loop is busy (capped by net.core.rmem_max)


class _Notifications:
    intake: Intake
    v3: V3Receiver

    def datagram_received(self, datagram: bytes, address) -> None:
        source = normal_address(address[0])
        if not self.intake.admit(source):
            return
        if len(datagram) > MAX_DATAGRAM:
            self.intake.bad(source, "oversized datagram")
            return
        try:
            version = ber.message_version(datagram)
            if version == "3":
                # pysnmp's own datagram_received defers to the next loop turn; called at once
                # here, so that what its engine refused is known (events.trap_v3).
                self.v3.receive(source, lambda: self._callback_function(self, address, datagram))
                return
            notification = ber.decode(datagram)
        except ber.BadInput as error:
            self.intake.bad(source, f"malformed BER: {error}")
            return
        if settings.TRAP_COMMUNITIES and notification.community not in settings.TRAP_COMMUNITIES:
            self.intake.bad(source, "wrong community")
            return
        if notification.request_id is not None:
            self.transport.sendto(ber.inform_response(datagram), address)
        self.intake.take(event_of(notification.trap_oid, notification.varbinds, source, time.time(), names().name))


class Udp4Notifications(_Notifications, udp.UdpAsyncioTransport):
    pass


class Udp6Notifications(_Notifications, udp6.Udp6AsyncioTransport):
    pass


def open_transport(intake: Intake, v3: V3Receiver, host: str, sock: socket.socket):
    """The transport on a bound socket; pysnmp's engine sends v3 answers through it (events.trap_v3)."""
    cls = Udp6Notifications if ":" in host else Udp4Notifications
    transport = cls()
    transport.intake, transport.v3 = intake, v3
    transport.open_server_mode(sock=sock)
    return transport
