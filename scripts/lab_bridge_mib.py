"""BRIDGE-MIB and Q-BRIDGE-MIB for a lab switch (a Linux bridge), served to snmpd through
its pass_persist protocol: net-snmp has no bridge tables of its own on Linux.

Serves dot1dBasePortIfIndex, dot1dTpFdbTable (MAC -> bridge port) and Q-BRIDGE-MIB's
dot1qTpFdbPort (VLAN, MAC -> port) and dot1qVlanStaticName, read from the kernel's
forwarding database (`bridge -j fdb show`) at most once a second.
"""

import json
import subprocess
import sys
import time
from pathlib import Path

BRIDGE = "br0"
BASE_PORT_IF_INDEX = "1.3.6.1.2.1.17.1.4.1.2"
TP_FDB = "1.3.6.1.2.1.17.4.3.1"  # .1 address, .2 port, .3 status
Q_TP_FDB_PORT = "1.3.6.1.2.1.17.7.1.2.2.1.2"  # .<vlan>.<mac>
Q_VLAN_STATIC_NAME = "1.3.6.1.2.1.17.7.1.4.3.1.1"  # .<vlan>
LEARNED, SELF = 3, 4
DEFAULT_VLAN = 1  # the bridge does no VLAN filtering: everything is in VLAN 1


def _key(oid: str) -> tuple[int, ...]:
    return tuple(int(part) for part in oid.strip(".").split("."))


def _ports() -> dict[str, int]:
    """bridge port name -> bridge port number."""
    found = {}
    for port in Path(f"/sys/class/net/{BRIDGE}/brif").iterdir():
        found[port.name] = int((port / "port_no").read_text(), 16)
    return found


def table() -> dict[tuple[int, ...], tuple[str, str]]:
    """oid -> (type, value), every object this script answers for."""
    ports = _ports()
    rows: dict[tuple[int, ...], tuple[str, str]] = {}
    for name, number in ports.items():
        if_index = Path(f"/sys/class/net/{name}/ifindex").read_text().strip()
        rows[_key(f"{BASE_PORT_IF_INDEX}.{number}")] = ("integer", if_index)
    entries = json.loads(subprocess.run(["bridge", "-j", "fdb", "show", "br", BRIDGE], capture_output=True,
                                        text=True, check=True).stdout or "[]")  # fmt: skip
    for entry in entries:
        port = ports.get(entry.get("ifname", ""))
        mac = entry.get("mac", "")
        if port is None or "vlan" in entry or len(mac.split(":")) != 6 or mac.startswith("33:33") or mac[:2] == "01":
            continue
        suffix = ".".join(str(int(part, 16)) for part in mac.split(":"))
        status = SELF if entry.get("state") == "permanent" else LEARNED
        rows[_key(f"{TP_FDB}.1.{suffix}")] = ("octet", mac.replace(":", " ").upper())  # pass_persist: hex pairs
        rows[_key(f"{TP_FDB}.2.{suffix}")] = ("integer", str(port))
        rows[_key(f"{TP_FDB}.3.{suffix}")] = ("integer", str(status))
        rows[_key(f"{Q_TP_FDB_PORT}.{DEFAULT_VLAN}.{suffix}")] = ("integer", str(port))
    rows[_key(f"{Q_VLAN_STATIC_NAME}.{DEFAULT_VLAN}")] = ("string", "default")
    return rows


def answer(command: str, oid: str, rows: dict) -> str:
    wanted = _key(oid)
    if command == "get":
        found = wanted if wanted in rows else None
    else:
        found = next((key for key in sorted(rows) if key > wanted), None)
    if found is None:
        return "NONE\n"
    kind, value = rows[found]
    return "." + ".".join(map(str, found)) + f"\n{kind}\n{value}\n"


def main() -> None:
    rows, read_at = {}, 0.0
    for line in sys.stdin:
        command = line.strip()
        if command == "PING":
            sys.stdout.write("PONG\n")
        elif command in ("get", "getnext"):
            oid = sys.stdin.readline().strip()
            if time.monotonic() - read_at > 1:
                rows, read_at = table(), time.monotonic()
            sys.stdout.write(answer(command, oid, rows))
        elif command == "set":
            sys.stdin.readline()
            sys.stdin.readline()
            sys.stdout.write("not-writable\n")
        elif not command:
            break
        sys.stdout.flush()


if __name__ == "__main__":
    main()
