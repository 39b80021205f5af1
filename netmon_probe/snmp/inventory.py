"""A device's inventory from ENTITY-MIB: the chassis, modules, power supplies and fans, with
model, serial number and hardware, firmware and software revisions. A device without the
MIB reports none; the chassis model then comes from sysObjectID (mib.model)."""

from dataclasses import dataclass

from netmon_probe.snmp import mib
from netmon_probe.snmp.client import Session
from netmon_probe.snmp.neighbours import text

KEPT_CLASSES = {"chassis", "module", "powerSupply", "fan", "stack", "cpu", "other"}  # not every port and sensor
FIELDS = ["name", "descr", "model", "serial", "hardware_rev", "firmware_rev", "software_rev"]


@dataclass(frozen=True)
class Component:
    index: int
    physical_class: str
    name: str
    descr: str
    model: str
    serial: str
    hardware_rev: str
    firmware_rev: str
    software_rev: str
    contained_in: int


async def read(session: Session) -> list[Component]:
    _, rows = await session.walk(list(mib.ENT_PHYSICAL.values()))
    columns = {name: rows[column] for name, column in mib.ENT_PHYSICAL.items()}
    found = []
    for index in sorted(set().union(*(column.keys() for column in columns.values())), key=str):
        if not isinstance(index, int):
            continue  # bad input: entPhysicalIndex is one number
        physical_class = mib.PHYSICAL_CLASSES.get(_number(columns["physical_class"].get(index)), "unknown")
        fields = [text(columns[name].get(index))[:255] for name in FIELDS]
        component = Component(index, physical_class, *fields, _number(columns["contained_in"].get(index)) or 0)
        # Devices that leave entPhysicalClass out still name their chassis model: keep what says something.
        if physical_class in KEPT_CLASSES or (physical_class == "unknown" and (component.model or component.serial)):
            found.append(component)
    return sorted(found, key=lambda c: c.index)


def _number(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
