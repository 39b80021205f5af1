"""SNMPv2c requests: messages coded by fastsnmp (Cython), over one UDP socket per event loop
and address family, answers matched to requests by request id and sender.

Why not pysnmp here too: decoding a GETBULK answer of 350 values took pysnmp (pyasn1)
about 50 ms of CPU, fastsnmp 74 µs (docs/architecture/decisions.md: the SNMP library). v2c is what
most devices are polled with; v3's cryptography stays with pysnmp (netmon_probe.snmp.v3).
"""

import asyncio
import itertools
import socket
from collections.abc import Callable

from fastsnmp import snmp_parser

from netmon_probe.per_loop import per_loop
from netmon_probe.snmp.errors import SnmpFailed
from netmon_probe.snmp.values import END

ERROR_STATUS = {1: "tooBig", 2: "noSuchName", 3: "badValue", 4: "readOnly", 5: "genErr"}
NO_ANSWER = "no SNMP answer: wrong community, or no agent on that port"
RECEIVE_BUFFER = 8 << 20


class _Socket(asyncio.DatagramProtocol):
    """One event loop's UDP socket for a family; each answer wakes the request that waits for it."""

    def __init__(self) -> None:
        self.waiting: dict[int, tuple[tuple[str, int], asyncio.Future]] = {}
        self.ids = itertools.count(1)
        self.transport: asyncio.DatagramTransport | None = None

    def connection_made(self, transport) -> None:
        self.transport = transport

    def datagram_received(self, data: bytes, address) -> None:
        try:
            request_id, status, index, varbinds = snmp_parser.msg_decode(data)
        except Exception:
            return
        entry = self.waiting.get(request_id)
        if entry is None or entry[0] != (address[0], address[1]) or entry[1].done():
            return  # late, duplicated, or from someone else
        entry[1].set_result((status, index, varbinds))


# This loop's sockets, by family.
_sockets_here: Callable[[], dict[int, _Socket]] = per_loop(dict)


async def _socket(family: int) -> _Socket:
    loop = asyncio.get_running_loop()
    opened = _sockets_here()
    if family not in opened:
        local = ("::", 0) if family == socket.AF_INET6 else ("0.0.0.0", 0)
        transport, protocol = await loop.create_datagram_endpoint(_Socket, local_addr=local, family=family)
        # Answers of many devices at once (a GETBULK answer is several KB) wait here while
        # the loop is busy; the kernel caps this at net.core.rmem_max.
        transport.get_extra_info("socket").setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, RECEIVE_BUFFER)
        opened[family] = protocol
    return opened[family]


class V2cExchange:
    def __init__(self, community: str, family: int, ip: str, port: int, timeout_s: float, retries: int) -> None:
        self._community, self._family, self._address = community, family, (ip, port)
        self._timeout_s, self._retries = timeout_s, retries

    async def get(self, oids: list[str]) -> list[tuple[str, object]]:
        return await self._request(oids, "Get", 0, 0)

    async def bulk(self, non_repeaters: int, max_repetitions: int, oids: list[str]) -> list[tuple[str, object]]:
        return await self._request(oids, "GetBulk", non_repeaters, max_repetitions)

    async def _request(self, oids, kind: str, non_repeaters: int, max_repetitions: int) -> list[tuple[str, object]]:
        sock = await _socket(self._family)
        request_id = next(sock.ids) & 0x7FFFFFFF
        message = snmp_parser.msg_encode(request_id, self._community, tuple(oids), msg_type=kind,
                                         max_repetitions=max_repetitions, non_repeaters=non_repeaters)  # fmt: skip
        future = asyncio.get_running_loop().create_future()
        sock.waiting[request_id] = (self._address, future)
        try:
            for _ in range(self._retries + 1):
                sock.transport.sendto(message, self._address)
                try:
                    async with asyncio.timeout(self._timeout_s):
                        status, index, varbinds = await asyncio.shield(future)
                    break
                except TimeoutError:
                    continue
            else:
                raise SnmpFailed(NO_ANSWER)
        finally:
            sock.waiting.pop(request_id, None)
        if status:
            raise SnmpFailed(f"the device answered {ERROR_STATUS.get(status, status)} (at varbind {index})")
        return [(oid, _plain(value)) for oid, value in varbinds]


def _plain(value):
    if isinstance(value, snmp_parser.EndOfMibView):
        return END
    if isinstance(value, snmp_parser.NoSuchObject | snmp_parser.NoSuchInstance):
        return None
    return value
