"""Where checks may send packets: everywhere but the denied networks.

Link-local addresses and the cloud metadata services behind them (169.254.0.0/16,
fd00:ec2::254) are always denied: a check (or a redirect it follows) aimed there
could read a cloud instance's credentials. CHECK_DENY_NETWORKS adds more.
Loopback and private ranges stay allowed unless listed: watching internal
networks is what the product is for.
"""

import functools
import ipaddress

from django.conf import settings

ALWAYS_DENIED = ("169.254.0.0/16", "fd00:ec2::254/128")

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_networks(texts: list[str]) -> tuple[Network, ...]:
    """Networks from CIDR texts; raises ValueError naming the one that is not a network."""
    networks = []
    for text in texts:
        try:
            networks.append(ipaddress.ip_network(text.strip(), strict=False))
        except ValueError:
            raise ValueError(f"{text!r} is not a network (write e.g. 10.9.0.0/16 or 2001:db8::/32)") from None
    return tuple(networks)


@functools.cache
def _denied(configured: tuple[str, ...]) -> tuple[Network, ...]:
    return parse_networks([*ALWAYS_DENIED, *configured])


def denied_networks() -> tuple[Network, ...]:
    return _denied(tuple(settings.CHECK_DENY_NETWORKS))


def refusal(ip: str) -> str | None:
    """Why a check may not reach `ip`, or None when it may."""
    address = ipaddress.ip_address(ip.split("%", 1)[0])  # fe80::1%eth0: the zone is not part of the address
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    for network in denied_networks():
        if address.version == network.version and address in network:
            return f"{ip} is in a denied network ({network}): checks may not reach it"
    return None
