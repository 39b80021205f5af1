"""Where is this MAC or IP address: the switch ports its MAC was seen on (BRIDGE-MIB,
Q-BRIDGE-MIB), with the VLAN and the neighbour on that port, and the devices whose ARP or
IPv6 neighbour tables hold it; newest first, so the first access port is where it is now
and the rest is where it was before."""

import ipaddress
import re
from dataclasses import dataclass
from datetime import datetime

from monitor.devices.models import AddressEntry, ForwardingEntry, Neighbour

MAC_DIGITS = re.compile(r"^[0-9a-f]{12}$")


@dataclass(frozen=True)
class Sighting:
    device: str  # the monitored host whose table holds it
    host_id: int
    kind: str  # "port" (forwarding table) or "arp" (address table)
    mac: str
    ip: str
    port: str
    vlan: int | None
    neighbour: str  # the device LLDP/CDP sees on that port: an uplink, not where the address sits
    first_seen_at: datetime
    last_seen_at: datetime


def mac_address(text: str) -> str:
    """aa:bb:cc:dd:ee:ff from any usual spelling (aa-bb-…, aabb.ccdd.eeff, AABBCCDDEEFF), else ""."""
    digits = re.sub(r"[^0-9a-f]", "", text.strip().lower())
    return ":".join(digits[i : i + 2] for i in range(0, 12, 2)) if MAC_DIGITS.match(digits) else ""


def ip_address(text: str) -> str:
    try:
        return str(ipaddress.ip_address(text.strip()))
    except ValueError:
        return ""


def where(query: str, limit: int = 50) -> list[Sighting]:
    """Every sighting of the MAC or IP in `query` (an IP is followed to its MACs); [] when it is neither."""
    ip, mac = ip_address(query), mac_address(query)
    if not ip and not mac:
        return []
    arp = AddressEntry.objects.select_related("host").order_by("-last_seen_at")
    arp = list((arp.filter(ip=ip) if ip else arp.filter(mac=mac))[:limit])
    macs = {mac} if mac else {entry.mac for entry in arp}
    ips = {entry.mac: entry.ip for entry in arp}
    ports = list(ForwardingEntry.objects.filter(mac__in=macs).select_related("host").order_by("-last_seen_at")[:limit])
    neighbours = {
        (n.host_id, n.local_port): n for n in Neighbour.objects.filter(host_id__in={p.host_id for p in ports})
    }
    found = [_on_port(entry, ips.get(entry.mac, ip), neighbours.get((entry.host_id, entry.port))) for entry in ports]
    found.sort(key=lambda s: (bool(s.neighbour), -s.last_seen_at.timestamp()))  # access ports first, newest first
    return found + [_in_table(entry) for entry in arp]


def _on_port(entry: ForwardingEntry, ip: str, neighbour: Neighbour | None) -> Sighting:
    beyond = f"{neighbour.remote_name} {neighbour.remote_port}".strip() if neighbour else ""
    return Sighting(entry.host.name, entry.host_id, "port", entry.mac, ip, entry.port, entry.vlan or None, beyond,
                    entry.first_seen_at, entry.last_seen_at)  # fmt: skip


def _in_table(entry: AddressEntry) -> Sighting:
    return Sighting(entry.host.name, entry.host_id, "arp", entry.mac, entry.ip, entry.port, None, "",
                    entry.first_seen_at, entry.last_seen_at)  # fmt: skip
