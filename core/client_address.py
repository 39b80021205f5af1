"""The address a request came from, also behind a reverse proxy of our own.

X-Forwarded-For is written by whoever sends the request, so it is believed only when
the connection comes from a proxy named in TRUSTED_PROXIES, and then only up to the
first hop that is not one of them: that hop is the client, whatever it put further left.
"""

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def _trusted(address: str) -> bool:
    try:
        ip = ipaddress.ip_address(address.strip())
    except ValueError:
        return False
    return any(ip in network for network in settings.TRUSTED_PROXIES)


def client_address(request: HttpRequest) -> str:
    """REMOTE_ADDR, or behind trusted proxies the right-most X-Forwarded-For hop none of them is."""
    address = request.META.get("REMOTE_ADDR", "")
    if not _trusted(address):
        return address
    hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
    for hop in reversed(hops):
        if not _trusted(hop):
            return hop
        address = hop
    return address  # every hop is a proxy of ours: the left-most is as near the client as we know
