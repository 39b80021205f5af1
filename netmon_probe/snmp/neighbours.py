"""A device's neighbours, from LLDP-MIB and Cisco's CDP cache: which device is at the other
end of which port. The network map draws its links from them."""

from dataclasses import dataclass

from netmon_probe.snmp import mib
from netmon_probe.snmp.client import Session


@dataclass(frozen=True)
class Neighbour:
    protocol: str  # "lldp" or "cdp"
    local_port: str  # this device's port name
    name: str  # the neighbour's system name (or chassis id when it sends none)
    port: str  # the neighbour's port
    platform: str = ""


async def read(session: Session, port_names: dict[int, str]) -> list[Neighbour]:
    """Every neighbour the device reports; a device without the MIBs reports none."""
    columns = [*mib.LLDP_REMOTE.values(), *mib.LLDP_LOCAL_PORT.values(), *mib.CDP_CACHE.values()]
    _, rows = await session.walk(columns)
    found = _lldp(rows, port_names) + _cdp(rows, port_names)
    return sorted(set(found), key=lambda n: (n.local_port, n.name, n.protocol))


def _lldp(rows: dict[str, dict], port_names: dict[int, str]) -> list[Neighbour]:
    remote = {name: rows[column] for name, column in mib.LLDP_REMOTE.items()}
    local = {name: rows[column] for name, column in mib.LLDP_LOCAL_PORT.items()}
    neighbours = []
    for index in remote["chassis"]:
        if not isinstance(index, tuple) or len(index) < 3:
            continue
        local_number = index[1]
        local_port = (text(local["descr"].get(local_number)) or text(local["id"].get(local_number))
                      or port_names.get(local_number, f"port {local_number}"))  # fmt: skip
        name = text(remote["name"].get(index)) or chassis_id(remote["chassis"][index])
        port = text(remote["port_descr"].get(index)) or text(remote["port"].get(index))
        neighbours.append(Neighbour("lldp", local_port[:100], name[:255], port[:100]))
    return neighbours


def _cdp(rows: dict[str, dict], port_names: dict[int, str]) -> list[Neighbour]:
    cache = {name: rows[column] for name, column in mib.CDP_CACHE.items()}
    neighbours = []
    for index, device_id in cache["name"].items():
        if not isinstance(index, tuple):
            continue
        local_port = port_names.get(index[0], f"ifIndex {index[0]}")
        port, platform = text(cache["port"].get(index)), text(cache["platform"].get(index))
        neighbours.append(Neighbour("cdp", local_port[:100], text(device_id)[:255], port[:100], platform[:100]))
    return neighbours


def chassis_id(value) -> str:
    """A chassis id as people read it: a MAC address as aa:bb:cc:dd:ee:ff, text as text."""
    raw = bytes(value) if value is not None else b""
    if len(raw) == 6:
        return ":".join(f"{byte:02x}" for byte in raw)
    return text(value)


def text(value) -> str:
    if value is None:
        return ""
    try:
        return bytes(value).decode("utf-8", "replace").strip().strip("\0")
    except TypeError:
        return str(value).strip()
