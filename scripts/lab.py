"""The lab network: `python scripts/lab.py up|down|status` (`make lab`, `make lab-down`), as root.

Builds the namespaces of scripts/lab_plan.py, joins them with veth pairs and Linux bridges,
starts each node's daemons (scripts/lab_daemons.py) and routes the lab's range from this
namespace through one veth to r1. `up` on a lab that is up and answering does nothing;
on a half-built one it tears it down first. `up` prints the lab as JSON and waits until
BGP is established and every snmpd answers, so a caller can use it at once.
"""

import contextlib
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import lab_daemons
import lab_plan
from lab_plan import IPV6, LINKS, NODES, PREFIX, SERVER_LINK, node

READY_TIMEOUT_S = 90
NEEDED = {"ip": "iproute2", "bridge": "iproute2", "snmpd": "snmpd", "lldpd": "lldpd", "vtysh": "frr"}


def run(*command: str, check: bool = True) -> subprocess.CompletedProcess:
    return subprocess.run(command, check=check, capture_output=True, text=True)


def ns(name: str, *command: str, check: bool = True) -> subprocess.CompletedProcess:
    return run("ip", "netns", "exec", PREFIX + name, *command, check=check)


def why_not() -> str:
    """Why the lab cannot be built here, or "" when it can."""
    if os.geteuid() != 0:
        return "the lab needs root (network namespaces, veth pairs, daemons on port 161 and 179)"
    found = {tool for tool in NEEDED if shutil.which(tool) or Path("/usr/sbin", tool).exists()}
    missing = [package for tool, package in NEEDED.items() if tool not in found]
    if missing or not Path("/usr/lib/x86_64-linux-gnu/frr/modules/bgpd_snmp.so").exists():
        return f"missing Debian packages: {', '.join(sorted(set(missing)) or ['frr-snmp'])} (scripts/lab_packages.sh)"
    probe = PREFIX + "probe"
    made = run("ip", "netns", "add", probe, check=False)
    run("ip", "netns", "del", probe, check=False)
    return "" if made.returncode == 0 else f"cannot make network namespaces: {made.stderr.strip()}"


def namespaces() -> list[str]:
    listed = run("ip", "netns", "list", check=False).stdout.split()
    return [name for name in listed if name.startswith(PREFIX)]


def down() -> None:
    """Every process inside the lab's namespaces (they are the lab's), then the namespaces and the veth."""
    for name in namespaces():
        for pid in run("ip", "netns", "pids", name, check=False).stdout.split():
            with contextlib.suppress(ProcessLookupError):
                os.kill(int(pid), 9)
    for n in NODES:
        if n.kind == "router":
            shutil.rmtree(Path("/var/run/frr") / n.namespace, ignore_errors=True)
    for name in namespaces():
        run("ip", "netns", "del", name, check=False)
    run("ip", "link", "del", SERVER_LINK[0], check=False)
    run("ip", "route", "del", lab_plan.LAB_NETWORK, check=False)
    shutil.rmtree(lab_plan.RUN_DIR, ignore_errors=True)


def build() -> None:
    for n in NODES:
        run("ip", "netns", "add", n.namespace)
        ns(n.name, "ip", "link", "set", "lo", "up")
        lab_daemons.directory(n).mkdir(parents=True, exist_ok=True)
        ns(n.name, "sysctl", "-qw", "net.ipv6.conf.all.accept_dad=0", "net.ipv6.conf.default.accept_dad=0")
    for link in LINKS:
        (a, a_if, _), (b, b_if, _) = link.a, link.b
        run("ip", "-n", PREFIX + a, "link", "add", a_if, "type", "veth", "peer", "name", b_if, "netns", PREFIX + b)
    server_end, r1_end = SERVER_LINK
    run("ip", "link", "add", server_end, "type", "veth", "peer", "name", r1_end, "netns", node("r1").namespace)
    run("ip", "addr", "add", lab_plan.SERVER_LINK_ADDRESSES[0], "dev", SERVER_LINK[0])
    run("ip", "link", "set", SERVER_LINK[0], "up")
    ns("r1", "ip", "addr", "add", lab_plan.SERVER_LINK_ADDRESSES[1], "dev", SERVER_LINK[1])
    for n in NODES:
        _configure(n)
    run("ip", "route", "replace", lab_plan.LAB_NETWORK, "via", node("r1").address)


def _configure(n) -> None:
    ends = [(end[1], end[2]) for link in LINKS for end in (link.a, link.b) if end[0] == n.name]
    if n.bridged:
        ns(n.name, "ip", "link", "add", "br0", "type", "bridge", "stp_state", "0")
        for port in n.bridged:
            ns(n.name, "ip", "link", "set", port, "master", "br0")
        ns(n.name, "ip", "addr", "add", f"{n.address}/24", "dev", "br0")
        ns(n.name, "ip", "link", "set", "br0", "up")
    for interface, address in ends + ([(SERVER_LINK[1], "")] if n.name == "r1" else []):
        if address:
            ns(n.name, "ip", "addr", "add", address, "dev", interface)
        if (n.name, interface) in IPV6:
            ns(n.name, "ip", "-6", "addr", "add", IPV6[(n.name, interface)], "dev", interface)
        ns(n.name, "ip", "link", "set", interface, "up")
    if n.gateway:
        ns(n.name, "ip", "route", "add", "default", "via", n.gateway)
    if n.kind == "router":
        ns(n.name, "ip", "addr", "add", f"{n.router_id}/32", "dev", "lo")
        ns(n.name, "sysctl", "-qw", "net.ipv4.ip_forward=1", "net.ipv6.conf.all.forwarding=1")


def start_daemons() -> None:
    for n in NODES:
        if n.kind == "host":
            continue
        lab_daemons.start_snmpd(n)
        lab_daemons.start_lldpd(n)
        if n.kind == "router":
            lab_daemons.start_frr(n)


def ready() -> str:
    """Empty when BGP is established both ways with routes received, else what is missing."""
    for n in NODES:
        if n.kind != "router":
            continue
        summary = run("vtysh", "-N", n.namespace, "-c", "show bgp ipv4 unicast summary json", check=False).stdout
        # vtysh says on stdout that the namespace has no vtysh.conf: the JSON starts at its brace.
        try:
            peers = json.loads(summary[summary.find("{") : summary.rfind("}") + 1] or "{}").get("peers", {})
        except json.JSONDecodeError:
            peers = {}
        if not peers or any(p.get("state") != "Established" or not p.get("pfxRcd") for p in peers.values()):
            return f"BGP on {n.name} is not established"
    for n in NODES:
        if n.kind != "host" and _lldp_neighbours(n) < _lldp_links(n):
            return f"lldpd on {n.name} does not see all its neighbours yet"
    return ""


def _lldp_links(n) -> int:
    """How many LLDP neighbours `n` has: its links to other routers and switches."""
    talking = {m.name for m in NODES if m.kind != "host"}
    return sum(1 for link in LINKS if {link.a[0], link.b[0]} <= talking and n.name in (link.a[0], link.b[0]))


def _lldp_neighbours(n) -> int:
    socket = str(lab_daemons.directory(n) / "lldpd.socket")
    shown = run("lldpcli", "-u", socket, "-f", "keyvalue", "show", "neighbors", check=False).stdout
    names = [line for line in shown.splitlines() if line.startswith("lldp.") and ".chassis.name=" in line]
    return len({line.split(".")[1] for line in names})  # lldp.<interface>.chassis.name=<name>


def up() -> None:
    if namespaces() and not ready():
        return
    down()
    build()
    start_daemons()
    deadline, missing = time.monotonic() + READY_TIMEOUT_S, "not checked"
    while time.monotonic() < deadline and (missing := ready()):
        time.sleep(0.5)  # a script polling daemons it started, not a test
    if missing:
        sys.exit(f"the lab did not come up within {READY_TIMEOUT_S} s: {missing}")


def main(argv: list[str]) -> None:
    command = argv[1] if len(argv) > 1 else "up"
    # FRR drops to its own user: the lab's directories must be open to it whatever umask the caller has.
    os.umask(0o022)
    if command == "check":
        print(why_not() or "the lab can be built here")
        return
    if reason := why_not():
        sys.exit(reason)
    if command == "up":
        up()
        print(json.dumps(lab_plan.describe(), indent=2))
    elif command == "down":
        down()
    elif command == "status":
        print(ready() or "up")
    else:
        sys.exit("usage: scripts/lab.py up|down|status|check")


if __name__ == "__main__":
    main(sys.argv)
