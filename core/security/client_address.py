"""The address a request came from, also behind a reverse proxy of our own.

X-Forwarded-For is written by whoever sends the request, so it is believed only when
the connection comes from a proxy named in TRUSTED_PROXIES, and then only up to the
first hop that is not one of them: that hop is the client, whatever it put further left.
"""

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def _parsed(address: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(address.strip())
    except ValueError:
        return None


def _trusted(ip: ipaddress.IPv4Address | ipaddress.IPv6Address | None) -> bool:
    return ip is not None and any(ip in network for network in settings.TRUSTED_PROXIES)


def client_address(request: HttpRequest) -> str:
    """REMOTE_ADDR, or behind trusted proxies the right-most X-Forwarded-For hop none of them is."""
    address = request.META.get("REMOTE_ADDR", "")
    if not _trusted(_parsed(address)):
        return address
    for hop in reversed(request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")):
        ip = _parsed(hop)
        if ip is None:
            return address  # not an address: the nearest hop we know is the client as far as we can tell
        if not _trusted(ip):
            return str(ip)
        address = str(ip)
    return address  # every hop is a proxy of ours: the left-most is as near the client as we know
