"""What the lab network is: its namespaces, the links between them and every address.

Plain data, read by scripts/lab.py (which builds it) and by the tests (which check what
discovery finds against it). Every address is in 198.18.0.0/15, a range that exists only
inside the lab's namespaces and on the one veth that joins the lab to the monitoring
server's namespace.

    server (root namespace) --- r1 ==BGP+OSPF== r2
                                |               |
                               sw1             sw2
                              /   \\             |
                            h1     h2           h3
"""

from dataclasses import dataclass, field

PREFIX = "nlab-"  # every namespace and the root namespace's veth start with it
RUN_DIR = "/run/netmon-lab"
LAB_NETWORK = "198.19.140.0/22"  # routed from the server's namespace into the lab
SERVER_ADDRESS = "198.19.140.1"
SERVER_LINK = ("nlab-srv", "to-srv")  # (the root namespace's end, r1's end)

COMMUNITY = "netmon-lab-ro"  # v2c, answered by the switches only
V3_USER, AUTH_PASSWORD, PRIV_PASSWORD = "netmon-lab", "lab-auth-pass-3b1", "lab-priv-pass-8c4"  # the routers


@dataclass(frozen=True)
class Node:
    name: str  # the namespace is PREFIX + name; also its sysName and LLDP system name
    kind: str  # router, switch or host
    address: str  # where snmpd answers (its management address), or a host's own address
    gateway: str = ""  # default route
    asn: int = 0  # routers: their BGP autonomous system
    router_id: str = ""
    bridged: tuple[str, ...] = field(default_factory=tuple)  # switches: the ports in br0

    @property
    def namespace(self) -> str:
        return PREFIX + self.name


@dataclass(frozen=True)
class Link:
    """A veth pair: (node, interface, address/len or "" for a bridge port) at each end."""

    a: tuple[str, str, str]
    b: tuple[str, str, str]


NODES = [
    Node("r1", "router", "198.19.140.2", asn=64601, router_id="198.19.140.101"),
    Node("r2", "router", "198.19.140.6", asn=64602, router_id="198.19.140.102"),
    Node("sw1", "switch", "198.19.141.2", gateway="198.19.141.1", bridged=("p1", "p2", "p3")),
    Node("sw2", "switch", "198.19.142.2", gateway="198.19.142.1", bridged=("p1", "p2")),
    Node("h1", "host", "198.19.141.11", gateway="198.19.141.1"),
    Node("h2", "host", "198.19.141.12", gateway="198.19.141.1"),
    Node("h3", "host", "198.19.142.13", gateway="198.19.142.1"),
]
LINKS = [
    Link(("r1", "to-r2", "198.19.140.5/30"), ("r2", "to-r1", "198.19.140.6/30")),
    Link(("r1", "to-sw1", "198.19.141.1/24"), ("sw1", "p1", "")),
    Link(("r2", "to-sw2", "198.19.142.1/24"), ("sw2", "p1", "")),
    Link(("sw1", "p2", ""), ("h1", "eth0", "198.19.141.11/24")),
    Link(("sw1", "p3", ""), ("h2", "eth0", "198.19.141.12/24")),
    Link(("sw2", "p2", ""), ("h3", "eth0", "198.19.142.13/24")),
]
# Each router's loopback (its router id) and the address r1 holds on the server's link.
SERVER_LINK_ADDRESSES = ("198.19.140.1/30", "198.19.140.2/30")
# 2001:db8::/32 on the LANs, so the neighbour tables hold IPv6 too.
IPV6 = {
    ("r1", "to-sw1"): "2001:db8:141::1/64",
    ("r2", "to-sw2"): "2001:db8:142::1/64",
    ("h1", "eth0"): "2001:db8:141::11/64",
    ("h2", "eth0"): "2001:db8:141::12/64",
    ("h3", "eth0"): "2001:db8:142::13/64",
}


def node(name: str) -> Node:
    return next(n for n in NODES if n.name == name)


def peer_of(router: str) -> Node:
    """The other router: each router has one BGP peer, across the r1-r2 link."""
    return next(n for n in NODES if n.kind == "router" and n.name != router)


def link_address(name: str, interface: str) -> str:
    """The address (without its length) that `name` holds on `interface`."""
    ends = [end for link in LINKS for end in (link.a, link.b)]
    return next(end[2].split("/")[0] for end in ends if end[:2] == (name, interface))


def describe() -> dict:
    """The lab as the tests and `make lab` print it."""
    return {
        "server_address": SERVER_ADDRESS,
        "network": LAB_NETWORK,
        "community": COMMUNITY,
        "v3": {"user": V3_USER, "auth_password": AUTH_PASSWORD, "priv_password": PRIV_PASSWORD},
        "nodes": [
            {"name": n.name, "namespace": n.namespace, "kind": n.kind, "address": n.address, "asn": n.asn}
            for n in NODES
        ],
        "links": [{"a": list(link.a[:2]), "b": list(link.b[:2])} for link in LINKS],
    }
