"""The lab's daemons: each node's snmpd (the AgentX master), lldpd and, on routers, FRR's
zebra, bgpd and ospfd, every one in its node's namespace with its own files under
RUN_DIR/<node>/ (unix sockets are not kept apart by network namespaces, paths are)."""

import shutil
import subprocess
from pathlib import Path

from lab_plan import AUTH_PASSWORD, COMMUNITY, PRIV_PASSWORD, RUN_DIR, V3_USER, Node, link_address, peer_of

FRR = Path("/usr/lib/frr")
BRIDGE_MIB = Path(__file__).resolve().parent / "lab_bridge_mib.py"


def directory(node: Node) -> Path:
    return Path(RUN_DIR) / node.name


def agentx_socket(node: Node) -> str:
    return str(directory(node) / "agentx")


def in_namespace(node: Node, command: list[str], **env: str) -> list[str]:
    extra = [f"{key}={value}" for key, value in env.items()]
    return ["ip", "netns", "exec", node.namespace, "env", *extra, *command]


def snmpd_config(node: Node) -> str:
    # Routers answer on every address they hold (one chassis seen through several addresses);
    # routers speak v3 only and switches v2c only, so discovery has to try both in turn.
    listen = "udp:161,udp6:161" if node.kind == "router" else f"udp:{node.address}:161"
    access = (
        f'createUser {V3_USER} SHA-256 "{AUTH_PASSWORD}" AES "{PRIV_PASSWORD}"\nrouser {V3_USER} priv\n'
        if node.kind == "router"
        else f"rocommunity {COMMUNITY} 198.18.0.0/15\n"
    )
    bridge = f"pass_persist .1.3.6.1.2.1.17 {shutil.which('python3')} {BRIDGE_MIB}\n" if node.kind == "switch" else ""
    return (
        f"agentAddress {listen}\n{access}"
        f"sysName {node.name}\nsysLocation netmon lab\nsysContact lab@example.net\n"
        f"master agentx\nagentXSocket unix:{agentx_socket(node)}\nagentXPerms 0660 0770 root frr\n{bridge}"
    )


def start_snmpd(node: Node) -> None:
    path = directory(node)
    (path / "snmpd.conf").write_text(snmpd_config(node))
    (path / "persist").mkdir(exist_ok=True)
    command = [shutil.which("snmpd") or "/usr/sbin/snmpd", "-C", "-c", str(path / "snmpd.conf"),
               "-p", str(path / "snmpd.pid"), "-Lf", str(path / "snmpd.log"), "-M", "/dev/null", "-m", ""]  # fmt: skip
    env = {"SNMP_PERSISTENT_DIR": str(path / "persist"), "MIBS": ""}
    if node.kind == "switch":
        env["LAB_BRIDGE"] = "br0"
    subprocess.run(in_namespace(node, command, **env), check=True)


def start_lldpd(node: Node) -> None:
    """lldpd in the foreground of a session of its own (its pid file would be shared), with
    CDP on, and its LLDP-MIB through this node's snmpd."""
    path = directory(node)
    Path("/run/lldpd").mkdir(exist_ok=True)  # its privilege-separation chroot
    (path / "lldpd.conf").write_text(f"configure system hostname {node.name}\nconfigure lldp tx-interval 5\n")
    command = ["/usr/sbin/lldpd", "-d", "-c", "-x", "-X", f"unix:{agentx_socket(node)}",
               "-u", str(path / "lldpd.socket"), "-O", str(path / "lldpd.conf"), "-I", "to-*,p*"]  # fmt: skip
    with open(path / "lldpd.log", "ab") as log:
        process = subprocess.Popen(in_namespace(node, command), stdout=log, stderr=log, start_new_session=True)
    (path / "lldpd.pid").write_text(str(process.pid))


def frr_configs(node: Node) -> dict[str, str]:
    peer = peer_of(node.name)
    peer_address = link_address(peer.name, f"to-{node.name}")
    return {
        "zebra": f"hostname {node.name}\n",
        "bgpd": (
            f"hostname {node.name}\nagentx\nrouter bgp {node.asn}\n bgp router-id {node.router_id}\n"
            " no bgp ebgp-requires-policy\n no bgp network import-check\n timers bgp 3 9\n"
            f" neighbor {peer_address} remote-as {peer.asn}\n neighbor {peer_address} timers connect 2\n"
            " address-family ipv4 unicast\n  redistribute connected\n exit-address-family\n"
        ),
        "ospfd": (
            f"hostname {node.name}\nagentx\ninterface to-{peer.name}\n ip ospf hello-interval 1\n"
            f" ip ospf dead-interval 4\nrouter ospf\n ospf router-id {node.router_id}\n"
            " network 198.19.140.4/30 area 0\n"
        ),
    }


def start_frr(node: Node) -> None:
    """zebra, bgpd and ospfd in the router's namespace, in FRR's path space `node.namespace`
    (so `vtysh -N <namespace>` reaches them), with their SNMP modules speaking AgentX to this
    node's snmpd (net-snmp's library reads `frr.conf` from SNMPCONFPATH)."""
    path = directory(node)
    vty_dir = Path("/var/run/frr") / node.namespace
    vty_dir.mkdir(parents=True, exist_ok=True)
    shutil.chown(vty_dir, "frr", "frr")
    snmp_dir = path / "frr-snmp"
    snmp_dir.mkdir(exist_ok=True)
    (snmp_dir / "frr.conf").write_text(f"agentXSocket unix:{agentx_socket(node)}\n")
    for daemon, config in frr_configs(node).items():
        (path / f"{daemon}.conf").write_text(config)
    for owned in [path, *path.glob("*.conf")]:
        shutil.chown(owned, "frr", "frr")  # FRR drops to its user before it writes its pid and log
    for daemon in frr_configs(node):
        command = [str(FRR / daemon), "-d", "-N", node.namespace, "-f", str(path / f"{daemon}.conf"),
                   "-i", str(path / f"{daemon}.pid"), "-u", "frr", "-g", "frr", "-M", "snmp",
                   "--log", f"file:{path / daemon}.log", "-A", "127.0.0.1"]  # fmt: skip
        # stderr: zebra says the kernel has no MPLS; what matters goes to the log file.
        subprocess.run(in_namespace(node, command, SNMPCONFPATH=str(snmp_dir)), check=True, stderr=subprocess.DEVNULL)
