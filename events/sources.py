"""Which device an event belongs to, by the address it came from.

A device is a monitored host whose address is an IP literal, or the host a
SourceMapping names for an address (a device behind NAT). The receiver's loop reads
the directory; the writer thread loads it afresh every RELOAD_S, so a new device or
mapping is recognised within seconds without a query per event.
"""

import functools
import ipaddress
from dataclasses import dataclass, field

from events.models import SourceMapping
from monitor.models import Host

RELOAD_S = 5.0


@dataclass(frozen=True)
class Directory:
    devices: dict[str, int] = field(default_factory=dict)  # address -> host id

    def device_of(self, address: str) -> int | None:
        return self.devices.get(_normal(address))


@functools.lru_cache(maxsize=65_536)  # asked for every datagram, of a few thousand sources
def _normal(address: str) -> str:
    """One spelling per address: IPv4-mapped IPv6 as IPv4, IPv6 compressed."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return address
    if ip.version == 6 and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return str(ip)


def load() -> Directory:
    devices = {}
    for host_id, address in Host.objects.values_list("id", "address"):
        normal = _normal(address)
        if normal != address or _is_ip(address):
            devices[normal] = host_id
    for address, host_id in SourceMapping.objects.values_list("address", "device_id"):
        devices[_normal(address)] = host_id  # a mapping wins over a host's own address
    return Directory(devices)


def _is_ip(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


normal_address = _normal
