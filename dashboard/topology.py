"""The network map's graph: devices and monitored hosts as nodes, links from neighbour tables.

A neighbour is matched to a monitored host by name: the host's name or its device's
sysName, whole or up to the first dot (CDP names are often FQDNs, LLDP's often
short). A neighbour that matches none is drawn as an unmonitored node. A link seen
from both ends is one edge, with the port at each end.
"""

from discovery import decisions
from monitor.devices.models import Device, Interface, Neighbour
from monitor.models import Host


def _keys(name: str) -> set[str]:
    name = name.strip().lower()
    return {name, name.split(".", 1)[0]} if name else set()


def topology() -> dict:
    devices = {d.host_id: d for d in Device.objects.all()}
    neighbours = list(Neighbour.objects.all())
    linked_names = {n.remote_name for n in neighbours}
    hosts = {h.id: h for h in Host.objects.all()}
    by_name: dict[str, int] = {}
    for host in hosts.values():
        for key in _keys(host.name) | _keys(devices[host.id].sys_name if host.id in devices else ""):
            by_name.setdefault(key, host.id)

    def node_of(name: str) -> str | None:
        host_id = next((by_name[key] for key in _keys(name) if key in by_name), None)
        return f"h{host_id}" if host_id is not None else None

    nodes: dict[str, dict] = {}
    for host_id in devices.keys() | {int(n[1:]) for n in map(node_of, linked_names) if n}:
        host = hosts[host_id]
        nodes[f"h{host_id}"] = {"id": f"h{host_id}", "host": host_id, "label": host.name, "status": host.status,
                                "kind": "device" if host_id in devices else "host"}  # fmt: skip
    edges: dict[tuple, dict] = {}
    for n in neighbours:
        source = f"h{n.host_id}"
        target = node_of(n.remote_name)
        if target is None:
            target = f"x{n.remote_name.lower()}"
            nodes.setdefault(target, {"id": target, "label": n.remote_name, "status": "unknown", "kind": "unmonitored"})
        if target == source:
            continue
        key = tuple(sorted((source, target)))
        edge = edges.setdefault(key, {"id": "e" + "-".join(key), "source": key[0], "target": key[1], "ports": {}})
        edge["ports"][source] = n.local_port
        if target.startswith("h") and target not in edge["ports"]:
            edge["ports"][target] = n.remote_port  # until that end reports its own name for the port
    _add_port_state(edges.values())
    _mark_causes(nodes, hosts)
    return {"nodes": list(nodes.values()), "edges": list(edges.values())}


def _mark_causes(nodes: dict, hosts: dict) -> None:
    """The DOWN hosts that are root causes, and those only unreachable behind one (discovery.root_cause)."""
    decision = decisions.current()
    for host_id, behind in decision.causes.items():
        if (node := nodes.get(f"h{host_id}")) is not None:
            node["root_cause"], node["behind"] = True, behind
    for host_id, cause in decision.held.items():
        if (node := nodes.get(f"h{host_id}")) is not None and cause in hosts:
            node["unreachable_via"] = hosts[cause].name


def _add_port_state(edges) -> None:
    """Each edge's state and load now: from the ports at its ends that are polled."""
    wanted = {(int(node[1:]), port) for edge in edges for node, port in edge["ports"].items()}
    host_ids = {host_id for host_id, _ in wanted}
    ports = {(i.host_id, i.name): i for i in Interface.objects.filter(host_id__in=host_ids)}
    for edge in edges:
        ends = [ports.get((int(node[1:]), port)) for node, port in edge["ports"].items()]
        ends = [end for end in ends if end is not None]
        edge["up"] = all(end.oper_status == "up" for end in ends) if ends else None
        loads = [end.utilisation_pct for end in ends if end.utilisation_pct is not None]
        edge["util_pct"] = max(loads) if loads else None
