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


def notification_of(intake: Intake, source: str, datagram: bytes, on_v3) -> ber.Notification | None:
    """A v1 or v2c notification read and checked (size, BER, community), or None when it is not
    one (counted); a v3 message goes to `on_v3()`. The probes' forwarded traps are read here too."""
    if len(datagram) > MAX_DATAGRAM:
        intake.bad(source, "oversized datagram")
        return None
    try:
        if ber.message_version(datagram) == "3":
            on_v3()
            return None
        notification = ber.decode(datagram)
    except ber.BadInput as error:
        intake.bad(source, f"malformed BER: {error}")
        return None
    if settings.TRAP_COMMUNITIES and notification.community not in settings.TRAP_COMMUNITIES:
        intake.bad(source, "wrong community")
        return None
    return notification


class _Notifications:
    intake: Intake
    v3: V3Receiver

    def datagram_received(self, datagram: bytes, address) -> None:
        source = normal_address(address[0])
        if not self.intake.admit(source):
            return

        def v3() -> None:
            # pysnmp's own datagram_received defers to the next loop turn; called at once
            # here, so that what its engine refused is known (events.trap_v3).
            self.v3.receive(source, lambda: self._callback_function(self, address, datagram))

        notification = notification_of(self.intake, source, datagram, v3)
        if notification is None:
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
