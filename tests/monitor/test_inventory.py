"""Device inventories from ENTITY-MIB (snmpsim serving a recorded switch before and after a
software upgrade that also lost a power supply), and the changes between two readings."""

import pytest

from monitor.devices.inventory import changes
from monitor.devices.models import Device, InventoryEvent, InventoryItem
from monitor.models import Check, Host
from netmon_probe.snmp import discovery
from netmon_probe.snmp.inventory import Component
from tests.monitor.snmp_agents import snmpsim
from tests.monitor.test_snmp import poll

CHASSIS = Component(1, "chassis", "Chassis", "", "EX2300-24T", "JW1", "REV 11", "", "20.4R3", 0)
FAN = Component(4, "fan", "Fan 0", "", "", "F1", "", "", "", 1)


def stored(*components: Component) -> dict[int, dict]:
    return {c.index: {"index": c.index, "name": c.name, "descr": c.descr, "model": c.model, "serial": c.serial,
                      "hardware_rev": c.hardware_rev, "firmware_rev": c.firmware_rev,
                      "software_rev": c.software_rev} for c in components}  # fmt: skip


def test_an_upgrade_is_a_changed_revision():
    upgraded = Component(**{**CHASSIS.__dict__, "software_rev": "21.4R3"})
    assert changes(stored(CHASSIS), [upgraded]) == [
        {"kind": "changed", "component": "Chassis", "field": "software_rev", "before": "20.4R3", "after": "21.4R3"}
    ]


def test_a_component_added_or_removed_is_named_with_its_serial():
    assert changes(stored(CHASSIS), [CHASSIS, FAN]) == [
        {"kind": "added", "component": "Fan 0", "field": "", "before": "", "after": "F1"}]  # fmt: skip
    assert changes(stored(CHASSIS, FAN), [CHASSIS]) == [
        {"kind": "removed", "component": "Fan 0", "field": "", "before": "F1", "after": ""}]  # fmt: skip


@pytest.mark.django_db(transaction=True)
def test_it_reads_the_inventory_and_records_each_change_with_its_time(admin_client):
    host = Host.objects.create(name="access-sw-2", address="127.0.0.1")
    with snmpsim("entity-switch-a") as (port, community):
        check = Check.objects.create(host=host, kind="snmp", port=port, interval_s=10, timeout_s=2, snmp_retries=0,
                                     community=community)  # fmt: skip
        discovery.forget(check.pk)
        poll(check)
    items = {item.name: item for item in InventoryItem.objects.filter(host=host)}
    assert set(items) == {"Chassis", "FPC 0", "Power Supply 0"}
    chassis = items["Chassis"]
    assert (chassis.model, chassis.serial, chassis.hardware_rev, chassis.firmware_rev, chassis.software_rev) == (
        "EX2300-24T", "JW3619AB0123", "REV 11", "U-Boot 2016.01", "20.4R3")  # fmt: skip
    assert (Device.objects.get(host=host).vendor, Device.objects.get(host=host).model) == ("Juniper", "EX2300-24T")
    assert not InventoryEvent.objects.exists()  # the first reading is where it starts

    with snmpsim("entity-switch-b") as (port, community):
        check.port, check.community = port, community
        check.save()
        discovery.forget(check.pk)  # a restart of the checks worker: the next poll discovers again
        poll(check)
    events = {(e.kind, e.component, e.field, e.before, e.after) for e in InventoryEvent.objects.filter(host=host)}
    assert events == {("changed", "Chassis", "software_rev", "20.4R3", "21.4R3"),
                      ("removed", "Power Supply 0", "", "1EDD0123", "")}  # fmt: skip
    assert set(InventoryItem.objects.filter(host=host).values_list("name", flat=True)) == {"Chassis", "FPC 0"}
    page = admin_client.get(f"/hosts/{host.pk}/").content.decode()
    assert "JW3619AB0123" in page
    assert "21.4R3" in page
