"""The first bytes of a sampled packet (sFlow's raw header record): Ethernet, 802.1Q, IPv4, IPv6, TCP, UDP, ICMP.

Returns (src, dst, proto, sport, dport, ip_length) with 16-byte addresses (IPv4 mapped),
or None for a header that is not IP or is cut short. `ip_length` is the packet's length
at the IP layer as its header says, what NetFlow exporters count too (the frame's length
adds the link's header and checksum). ICMP has no ports: its type and code stand
in the destination port (type * 256 + code), as NetFlow exporters do.
"""

import struct

from flows.decoding.records import V4_MAPPED_PREFIX

ETHERNET, IPV4, IPV6 = 1, 11, 12  # sFlow header_protocol numbers
ETH_IPV4, ETH_IPV6, ETH_VLAN, ETH_QINQ = 0x0800, 0x86DD, 0x8100, 0x88A8
TCP, UDP, ICMP, ICMPV6 = 6, 17, 1, 58
V6_EXTENSIONS = {0, 43, 60}  # hop-by-hop, routing, destination options: skipped to reach the transport

Flow = tuple[bytes, bytes, int, int, int, int]


def decode(protocol: int, header: bytes) -> Flow | None:
    if protocol == ETHERNET:
        return ethernet(header)
    if protocol == IPV4:
        return ipv4(header, 0)
    if protocol == IPV6:
        return ipv6(header, 0)
    return None


def ethernet(frame: bytes) -> Flow | None:
    offset = 12
    while len(frame) >= offset + 2:
        ethertype = struct.unpack_from(">H", frame, offset)[0]
        offset += 2
        if ethertype in (ETH_VLAN, ETH_QINQ):
            offset += 2  # the tag's priority and VLAN id
            continue
        if ethertype == ETH_IPV4:
            return ipv4(frame, offset)
        if ethertype == ETH_IPV6:
            return ipv6(frame, offset)
        return None
    return None


def ipv4(packet: bytes, offset: int) -> Flow | None:
    if len(packet) < offset + 20 or packet[offset] >> 4 != 4:
        return None
    header_length = (packet[offset] & 0x0F) * 4
    proto = packet[offset + 9]
    src = V4_MAPPED_PREFIX + packet[offset + 12 : offset + 16]
    dst = V4_MAPPED_PREFIX + packet[offset + 16 : offset + 20]
    length, fragment_offset = struct.unpack_from(">HxxH", packet, offset + 2)
    if fragment_offset & 0x1FFF:  # a later fragment carries no transport header
        return src, dst, proto, 0, 0, length
    return (src, dst, proto, *transport(packet, offset + max(header_length, 20), proto), length)


def ipv6(packet: bytes, offset: int) -> Flow | None:
    if len(packet) < offset + 40 or packet[offset] >> 4 != 6:
        return None
    length = 40 + struct.unpack_from(">H", packet, offset + 4)[0]
    proto = packet[offset + 6]
    src, dst = packet[offset + 8 : offset + 24], packet[offset + 24 : offset + 40]
    offset += 40
    while proto in V6_EXTENSIONS and len(packet) >= offset + 2:
        proto, offset = packet[offset], offset + 8 * (packet[offset + 1] + 1)
    return (src, dst, proto, *transport(packet, offset, proto), length)


def transport(packet: bytes, offset: int, proto: int) -> tuple[int, int]:
    if proto in (TCP, UDP) and len(packet) >= offset + 4:
        return struct.unpack_from(">HH", packet, offset)
    if proto in (ICMP, ICMPV6) and len(packet) >= offset + 2:
        return 0, packet[offset] * 256 + packet[offset + 1]
    return 0, 0
