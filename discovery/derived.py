"""The edges dependencies are derived from, read from what the product recorded.

- links: LLDP and CDP neighbours matched to monitored hosts by name (host name or the
  device's sysName, whole or up to the first dot), and hosts seen behind a switch's edge
  port (a port with no LLDP/CDP neighbour) through its forwarding table, their MAC known
  from an ARP table;
- routing adjacencies: BGP peers and OSPF neighbours matched to hosts by address;
- path hops: each path check's latest hops, matched to hosts by address, from the server;
- the server's own networks: a host on a network the server has an address in hangs off it.
"""

import ipaddress

import psutil

from discovery.dependencies import SERVER
from discovery.models import Candidate, ParentPin
from monitor.devices.models import AddressEntry, Device, ForwardingEntry, Neighbour, RoutingSession
from monitor.models import Check, CheckResult, Host


def _keys(name: str) -> set[str]:
    name = name.strip().lower()
    return {name, name.split(".", 1)[0]} if name else set()


def edges() -> tuple[list, list, list]:
    """(links, path hops from the server, routing adjacencies), as host ids."""
    hosts = list(Host.objects.values_list("id", "name", "address"))
    by_name, by_address = {}, {}
    names = dict(Device.objects.values_list("host_id", "sys_name"))
    for host_id, name, address in hosts:
        for key in _keys(name) | _keys(names.get(host_id, "")):
            by_name.setdefault(key, host_id)
        by_address.setdefault(address, host_id)
    for host_id, addresses in Candidate.objects.exclude(host=None).values_list("host_id", "addresses"):
        for address in addresses:
            by_address.setdefault(address, host_id)
    links = [(n.host_id, by_name[key]) for n in Neighbour.objects.all() for key in _keys(n.remote_name)
             if key in by_name]  # fmt: skip
    links += edge_port_links(by_address)
    peers = RoutingSession.objects.values_list("host_id", "peer")
    adjacencies = [(host_id, by_address[peer]) for host_id, peer in peers if peer in by_address]
    networks = server_networks()
    hops = path_hops(by_address) + [[host_id] for host_id, _, address in hosts if on_server_network(address, networks)]
    return links, hops, adjacencies


def edge_port_links(by_address: dict) -> list[tuple[int, int]]:
    """(switch, host) for each monitored address whose MAC a switch last saw on a port with no neighbour."""
    macs = {}
    for ip, mac in (
        AddressEntry.objects.filter(ip__in=list(by_address)).order_by("last_seen_at").values_list("ip", "mac")
    ):
        macs[mac] = by_address[ip]
    uplinks = set(Neighbour.objects.values_list("host_id", "local_port"))
    latest: dict[str, tuple] = {}
    for switch, mac, port in (
        ForwardingEntry.objects.filter(mac__in=list(macs))
        .order_by("last_seen_at")
        .values_list("host_id", "mac", "port")
    ):
        if (switch, port) not in uplinks:
            latest[mac] = (switch, macs[mac])
    return [link for link in latest.values() if link[0] != link[1]]


def path_hops(by_address: dict) -> list[list[int]]:
    """Each path check's latest route as the monitored hosts along it, in order."""
    paths = []
    for check_id in Check.objects.filter(kind="path", enabled=True).values_list("id", flat=True):
        details = CheckResult.objects.filter(host_check_id=check_id).order_by("-started_at").values_list(
            "details", flat=True).first() or {}  # fmt: skip
        route = [by_address[hop["address"]] for hop in details.get("hops", []) if hop.get("address") in by_address]
        if route:
            paths.append(route)
    return paths


def server_networks() -> list:
    networks = []
    for addresses in psutil.net_if_addrs().values():
        for address in addresses:
            if address.family.name in ("AF_INET", "AF_INET6") and address.netmask:
                try:
                    network = ipaddress.ip_interface(f"{address.address.split('%')[0]}/{address.netmask}").network
                except ValueError:
                    continue
                if not network.is_loopback and network.prefixlen < network.max_prefixlen:
                    networks.append(network)
    return networks


def on_server_network(address: str, networks: list) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False  # a name, not an address
    return any(ip in network for network in networks)


def pins() -> dict:
    """host id -> its pinned parent (SERVER for "the server itself")."""
    return {host: parent if parent is not None else SERVER for host, parent in
            ParentPin.objects.values_list("host_id", "parent_id")}  # fmt: skip
