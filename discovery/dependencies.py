"""Who depends on whom, derived from what the product already knows: links (LLDP, CDP),
path checks' hops and routing adjacencies, read from the monitoring server outward.

A node's parents are its neighbours one step closer to the server on a shortest path
(networkx's `predecessor`): a node behind two redundant routers has both as parents and
is cut off only when both are. An administrator's pin replaces the derived parents of
one node. Nodes are any hashable ids; the server is `SERVER`.
"""

import gc
import itertools
from collections.abc import Iterable, Mapping

import networkx as nx

SERVER = "server"


def graph(links: Iterable[tuple], hops: Iterable[list] = (), adjacencies: Iterable[tuple] = ()) -> nx.Graph:
    """One undirected graph: each link and adjacency an edge, each path a chain of edges
    from the server through its hops in order."""
    network = nx.Graph()
    network.add_node(SERVER)
    network.add_edges_from(links)
    network.add_edges_from(adjacencies)
    for path in hops:
        chain = [SERVER, *path]
        network.add_edges_from(itertools.pairwise(chain))
    network.remove_edges_from(nx.selfloop_edges(network))
    return network


def parents(network: nx.Graph, pinned: Mapping | None = None) -> dict:
    """node -> [its parents]; the server and nodes it cannot
    reach have none. `pinned` (node -> parent) overrides the derived parents."""
    if SERVER not in network:
        return {}
    found = nx.predecessor(network, SERVER)  # node -> its parents, in the order the search met them
    found[SERVER] = []
    for node, parent in (pinned or {}).items():
        if node != SERVER and node != parent:
            found[node] = [parent]
    return found


def order(found: Mapping) -> list:
    """The nodes with a path to the server, each after all its parents (breadth first from
    the server): the order root_cause walks them in. A pin that makes a circle leaves the
    nodes on it out, rather than loop."""
    children: dict = {}
    for node, above in found.items():
        for parent in above:
            children.setdefault(parent, []).append(node)
    waiting = {node: len(above) for node, above in found.items()}
    ordered, ready = [], [node for node, count in waiting.items() if count == 0 and node == SERVER]
    while ready:
        node = ready.pop()
        ordered.append(node)
        for child in children.get(node, ()):
            waiting[child] -= 1
            if waiting[child] == 0:
                ready.append(child)
    return ordered


def recompute(links: Iterable[tuple], hops: Iterable[list], adjacencies: Iterable[tuple],
              pinned: Mapping | None = None) -> tuple[dict, list]:  # fmt: skip
    """(parents, walk order) from the edges, with the cyclic garbage collector paused: building
    the graph allocates some 100,000 small objects for 10,000 nodes, and the collection passes
    they set off walk the process's whole heap (measured: max 406 ms with them, 60-110 ms without)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        found = parents(graph(links, hops, adjacencies), pinned)
        return found, order(found)
    finally:
        if was_enabled:
            gc.enable()
