"""Where checks may send packets, as pure functions over a list of denied networks.

The centre judges with its settings (core.security.destinations); a probe with the
networks its assignments carry, so both follow one policy. What is always denied (cloud
metadata services, link-local and unspecified addresses) is listed here, once.
"""

import ipaddress
import socket
from collections.abc import Iterable

ALWAYS_DENIED = (
    "169.254.0.0/16",
    "fe80::/10",
    "fd00:ec2::254/128",
    "100.100.100.200/32",
    "192.0.0.192/32",
    "0.0.0.0/8",
    "::/128",
)
# Names of metadata services: refused as typed, before any lookup (they resolve to denied addresses anyway).
DENIED_NAMES = frozenset({"metadata.google.internal", "metadata.goog", "instance-data", "instance-data.ec2.internal"})

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address

NAT64 = ipaddress.ip_network("64:ff9b::/96")
IPV4_COMPATIBLE = ipaddress.ip_network("::/96")


def parse_networks(texts: Iterable[str]) -> tuple[Network, ...]:
    """Networks from CIDR texts; raises ValueError naming the one that is not a network."""
    networks = []
    for text in texts:
        try:
            networks.append(ipaddress.ip_network(text.strip(), strict=False))
        except ValueError:
            raise ValueError(f"{text!r} is not a network (write e.g. 10.9.0.0/16 or 2001:db8::/32)") from None
    return tuple(networks)


def literal_ip(host: str) -> Address | None:
    """The address the OS connects to for `host` when it is an address, in any form it accepts.

    Besides the usual forms, the C library reads 0xa9fea9fe, 2852039166 and 0251.0376.0251.0376
    as 169.254.169.254: they are addresses, not names.
    """
    text = host.strip().strip("[]").split("%", 1)[0]  # fe80::1%eth0: the zone is not part of the address
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        pass
    try:
        return ipaddress.IPv4Address(socket.inet_aton(text))
    except (OSError, ValueError):
        return None


def carried_ipv4(address: Address) -> Address:
    """The IPv4 address an IPv6 address carries (mapped, compatible, NAT64, 6to4), else the address itself."""
    if isinstance(address, ipaddress.IPv4Address):
        return address
    if address.ipv4_mapped:
        return address.ipv4_mapped
    if address.sixtofour:
        return address.sixtofour
    if address in NAT64 or (address in IPV4_COMPATIBLE and int(address) > 1):  # ::1 is loopback, :: unspecified
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return address


def refusal_in(ip: str, denied: Iterable[Network]) -> str | None:
    """Why `ip` may not be reached when `denied` are the denied networks, or None when it may."""
    address = literal_ip(ip)
    if address is None:
        return f"{ip} is not an IP address"
    denied = tuple(denied)
    for candidate in {address, carried_ipv4(address)}:
        for network in denied:
            if candidate.version == network.version and candidate in network:
                return f"{ip} is in a denied network ({network}): the server may not reach it"
    return None


class Destinations:
    """The policy of one process: the networks always denied plus `configured` ones."""

    def __init__(self, configured: Iterable[str] = ()) -> None:
        self.denied = parse_networks([*ALWAYS_DENIED, *configured])

    def refusal(self, ip: str) -> str | None:
        return refusal_in(ip, self.denied)
