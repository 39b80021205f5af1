"""Where the server may send packets (checks and notifications alike): everywhere but the denied networks.

Always denied, whatever the configuration:
- link-local networks (169.254.0.0/16, fe80::/10) and the cloud metadata services
  (169.254.169.254, fd00:ec2::254, Alibaba's 100.100.100.200, Oracle's 192.0.0.192):
  a request aimed there could read a cloud instance's credentials;
- the unspecified addresses (0.0.0.0/8, ::): connecting to them reaches this host.
IPv6 forms that carry an IPv4 address (IPv4-mapped ::ffff:a.b.c.d, IPv4-compatible
::a.b.c.d, NAT64 64:ff9b::/96, 6to4 2002::/16) are judged by the IPv4 address they
carry, since that is where the packets end up. CHECK_DENY_NETWORKS adds more.
Loopback and private ranges stay allowed unless listed: watching internal networks
is what the product is for.
"""

import functools

from django.conf import settings

from netmon_probe.checks import policy
from netmon_probe.checks.policy import (  # noqa: F401 -- one policy, shared with the probes
    ALWAYS_DENIED,
    DENIED_NAMES,
    Address,
    Network,
    carried_ipv4,
    literal_ip,
    parse_networks,
)


@functools.cache
def _denied(configured: tuple[str, ...]) -> tuple[Network, ...]:
    return parse_networks([*ALWAYS_DENIED, *configured])


def denied_networks() -> tuple[Network, ...]:
    return _denied(tuple(settings.CHECK_DENY_NETWORKS))


def refusal(ip: str) -> str | None:
    """Why the server may not reach `ip`, or None when it may."""
    return policy.refusal_in(ip, denied_networks())


def host_refusal(host: str) -> str | None:
    """Why `host` as typed (a name or an address) is refused, or None: names are judged again when they resolve."""
    name = host.strip().strip("[]").rstrip(".").lower()
    if name in DENIED_NAMES:
        return f"{name} is a cloud metadata service: the server may not reach it"
    return refusal(name) if literal_ip(name) else None
