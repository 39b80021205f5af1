"""A router's routing sessions: BGP peers (BGP4-MIB) and OSPF neighbours (OSPF-MIB).

A session is "up" when BGP is established or OSPF is full; any other state is one an
operator is told about. A device without the MIBs reports no sessions.
"""

from dataclasses import dataclass

from netmon_probe.snmp import mib
from netmon_probe.snmp.client import Session

UP_STATES = {"bgp": "established", "ospf": "full"}


@dataclass(frozen=True)
class RoutingSession:
    protocol: str  # "bgp" or "ospf"
    peer: str  # the peer's address
    state: str  # BGP_STATES / OSPF_STATES, by name
    remote_as: int | None = None  # BGP
    router_id: str = ""  # OSPF: the neighbour's router id
    established_s: int | None = None  # BGP: seconds in Established (or since it left it)
    prefixes: int | None = None  # BGP: paths received from the peer
    admin_down: bool = False  # BGP: shut down on this side

    @property
    def up(self) -> bool:
        return self.state == UP_STATES[self.protocol]


async def read(session: Session) -> list[RoutingSession]:
    columns = [*mib.BGP_PEER.values(), mib.BGP_PATH_PEER, *mib.OSPF_NEIGHBOUR.values()]
    _, rows = await session.walk(columns)
    return sorted(bgp_peers(rows) + ospf_neighbours(rows), key=lambda s: (s.protocol, s.peer))


def bgp_peers(rows: dict[str, dict]) -> list[RoutingSession]:
    peer = {name: rows.get(column, {}) for name, column in mib.BGP_PEER.items()}
    paths: dict[tuple, int] = {}
    for index in rows.get(mib.BGP_PATH_PEER, {}):
        if isinstance(index, tuple) and len(index) == 9:
            paths[index[5:]] = paths.get(index[5:], 0) + 1
    found = []
    for index, state in peer["state"].items():
        if not isinstance(index, tuple) or len(index) != 4:
            continue  # bad input: not an IPv4 address index
        found.append(RoutingSession(
            protocol="bgp",
            peer=".".join(map(str, index)),
            state=mib.BGP_STATES.get(_number(state), "unknown"),
            remote_as=_number(peer["remote_as"].get(index)),
            established_s=_number(peer["established_s"].get(index)),
            prefixes=paths.get(index, 0),
            admin_down=_number(peer["admin_status"].get(index)) == 1,
        ))  # fmt: skip
    return found


def ospf_neighbours(rows: dict[str, dict]) -> list[RoutingSession]:
    neighbour = {name: rows.get(column, {}) for name, column in mib.OSPF_NEIGHBOUR.items()}
    found = []
    for index, state in neighbour["state"].items():
        if not isinstance(index, tuple) or len(index) != 5:
            continue
        router_id = neighbour["router_id"].get(index)
        found.append(RoutingSession(
            protocol="ospf",
            peer=".".join(map(str, index[:4])),
            state=mib.OSPF_STATES.get(_number(state), "unknown"),
            router_id=address(router_id),
        ))  # fmt: skip
    return found


def address(value) -> str:
    """An IpAddress value as dotted text, whichever way the SNMP library hands it over."""
    if value is None:
        return ""
    try:
        raw = bytes(value)
    except TypeError:
        return str(value)
    return ".".join(map(str, raw)) if len(raw) == 4 else raw.decode("ascii", "replace")


def _number(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
