"""ICMP echo over one shared socket per event loop and address family.

Root may open raw ICMP sockets. Other users may open "ping sockets" (SOCK_DGRAM,
IPPROTO_ICMP) when their group is in `net.ipv4.ping_group_range`; the kernel then
sets the identifier and only delivers this socket's replies. Every ping in flight
shares the socket; replies are matched to requests by (destination, sequence): an
echo reply comes from the destination, a router's "time exceeded" quotes it.

Probes with a short TTL (path checks) need a raw socket: only it receives the
routers' ICMP errors.
"""

import asyncio
import ipaddress
import itertools
import os
import socket
import struct
import time
from collections.abc import Callable

from netmon_probe.per_loop import per_loop

ECHO_REQUEST = {socket.AF_INET: 8, socket.AF_INET6: 128}
ECHO_REPLY = {socket.AF_INET: 0, socket.AF_INET6: 129}
TIME_EXCEEDED = {socket.AF_INET: 11, socket.AF_INET6: 3}
UNREACHABLE = {socket.AF_INET: 3, socket.AF_INET6: 1}
TTL_OPTION = {socket.AF_INET: (socket.IPPROTO_IP, socket.IP_TTL),
              socket.AF_INET6: (socket.IPPROTO_IPV6, socket.IPV6_UNICAST_HOPS)}  # fmt: skip
PROTOCOL = {socket.AF_INET: socket.IPPROTO_ICMP, socket.AF_INET6: socket.IPPROTO_ICMPV6}
RAW, DGRAM = "raw", "dgram"


def checksum(data: bytes) -> int:
    """The Internet checksum (RFC 1071) of an ICMPv4 message."""
    if len(data) % 2:
        data += b"\0"
    total = sum(struct.unpack(f"!{len(data) // 2}H", data))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


def echo_request(family: int, ident: int, seq: int, payload: bytes) -> bytes:
    header = struct.pack("!BBHHH", ECHO_REQUEST[family], 0, 0, ident, seq)
    if family == socket.AF_INET6:
        return header + payload  # the kernel fills in the ICMPv6 checksum
    return struct.pack("!BBHHH", ECHO_REQUEST[family], 0, checksum(header + payload), ident, seq) + payload


def parse_reply(family: int, kind: str, packet: bytes) -> tuple[int, int, str | None, bool] | None:
    """(identifier, sequence, quoted destination, reached) of an echo reply or of an ICMP
    error quoting one of our echo requests; None for any other packet.

    The destination is None for an echo reply (it is the sender); `reached` is False for
    a router's time-exceeded or unreachable message.
    """
    if family == socket.AF_INET and kind == RAW:
        packet = packet[(packet[0] & 0x0F) * 4 :]  # raw IPv4 sockets include the IP header
    if len(packet) < 8:
        return None
    kind_byte, _code, _sum, ident, seq = struct.unpack("!BBHHH", packet[:8])
    if kind_byte == ECHO_REPLY[family]:
        return ident, seq, None, True
    if kind_byte not in (TIME_EXCEEDED[family], UNREACHABLE[family]) or kind != RAW:
        return None
    quoted = packet[8:]  # the original IP header, then our echo request's first 8 bytes
    if family == socket.AF_INET:
        header = (quoted[0] & 0x0F) * 4 if quoted else 0
        destination, inner = quoted[16:20], quoted[header : header + 8]
    else:
        destination, inner = quoted[24:40], quoted[40:48]
    if len(inner) < 8 or len(destination) not in (4, 16) or inner[0] != ECHO_REQUEST[family]:
        return None
    _kind, _code, _sum, ident, seq = struct.unpack("!BBHHH", inner)
    return ident, seq, str(ipaddress.ip_address(destination)), False


class IcmpSocket:
    """Sends echo requests and wakes the waiter of each matching reply."""

    def __init__(self, family: int, kind: str) -> None:
        sock_type = socket.SOCK_RAW if kind == RAW else socket.SOCK_DGRAM
        self.sock = socket.socket(family, sock_type, PROTOCOL[family])  # raises PermissionError when not allowed
        self.sock.setblocking(False)
        self.family, self.kind = family, kind
        self.ident = os.getpid() & 0xFFFF
        self._sequence = itertools.count()
        self._waiters: dict[tuple[str, int], asyncio.Future] = {}
        asyncio.get_running_loop().add_reader(self.sock, self._on_readable)

    async def echo(self, ip: str, wait_s: float) -> float | None:
        """Round-trip time in ms of one echo to `ip`, or None when no reply came within `wait_s`."""
        rtt, _responder, reached = await self.probe(ip, wait_s)
        return rtt if reached else None

    async def probe(self, ip: str, wait_s: float, ttl: int | None = None) -> tuple[float | None, str | None, bool]:
        """One echo to `ip`, at most `ttl` hops far: (ms, who answered, whether `ip` itself did).

        (None, None, False) when nothing answered within `wait_s`.
        """
        seq = next(self._sequence) & 0xFFFF
        key = (_normal(ip), seq)
        future = asyncio.get_running_loop().create_future()
        self._waiters[key] = future
        packet = echo_request(self.family, self.ident, seq, os.urandom(16))
        try:
            sent = time.perf_counter()
            if ttl is not None:  # set and sent in one step of the loop: no other probe comes between
                self.sock.setsockopt(*TTL_OPTION[self.family], ttl)
            self.sock.sendto(packet, (ip, 0))
            if ttl is not None:
                self.sock.setsockopt(*TTL_OPTION[self.family], 64)
            async with asyncio.timeout(wait_s):
                received, responder, reached = await future
            return (received - sent) * 1000, responder, reached
        except TimeoutError:
            return None, None, False
        finally:
            self._waiters.pop(key, None)

    def _on_readable(self) -> None:
        while True:
            try:
                packet, source = self.sock.recvfrom(2048)
            except (BlockingIOError, InterruptedError):
                return
            except OSError:
                continue  # an ICMP error queued on the socket; nothing to match
            now = time.perf_counter()
            reply = parse_reply(self.family, self.kind, packet)
            if reply is None:
                continue
            ident, seq, destination, reached = reply
            # A raw socket sees every ICMP packet on the host; the kernel already
            # filtered a ping socket's replies (and rewrote their identifier).
            if self.kind == RAW and ident != self.ident:
                continue
            sender = _normal(source[0])
            future = self._waiters.get((destination or sender, seq))
            if future is not None and not future.done():
                future.set_result((now, sender, reached))


def _normal(ip: str) -> str:
    return str(ipaddress.ip_address(ip.split("%", 1)[0]))


# Per event loop (weakly, so a finished test loop takes its sockets along), per family and kinds.
_sockets_here: Callable[[], dict[tuple[int, tuple[str, ...]], IcmpSocket | None]] = per_loop(dict)


def shared_socket(family: int, kinds: tuple[str, ...] = (RAW, DGRAM)) -> IcmpSocket | None:
    """This loop's ICMP socket for `family`: raw if allowed, else a ping socket, else None."""
    opened = _sockets_here()
    key = (family, kinds)
    if key not in opened:
        opened[key] = None
        for kind in kinds:
            try:
                opened[key] = IcmpSocket(family, kind)
                break
            except PermissionError:
                continue
            except OSError:
                break  # the family itself is unavailable
    return opened[key]
