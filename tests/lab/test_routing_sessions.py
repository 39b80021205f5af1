"""Routing sessions on the lab's real FRR: polled over SNMP (BGP4-MIB, OSPF-MIB), shown on
the device, and an alert when a session leaves Established or Full, cleared when it is back."""

import json

import pytest

from alerts.evaluator import Evaluator
from alerts.models import Alert, AlertRule
from core.contracts.metrics import HOST_ALERT_METRICS
from monitor.devices.models import Device, RoutingSession
from monitor.models import Host
from tests.lab.conftest import vtysh
from tests.lab.polling import poll, snmp_check, until
from tests.lab.snmp import router_credentials

pytestmark = pytest.mark.django_db(transaction=True)
PEER = "198.19.140.6"  # r2, as r1 sees it


def established(lab) -> bool:
    summary = vtysh(lab, "r1", "show bgp ipv4 unicast summary json")
    peers = json.loads(summary[summary.find("{") : summary.rfind("}") + 1]).get("peers", {})
    return peers.get(PEER, {}).get("state") == "Established"


@pytest.fixture
def bgp_restored(lab):
    yield
    vtysh(lab, "r1", "configure terminal", "router bgp 64601", f"no neighbor {PEER} shutdown")
    until(lambda: established(lab), "BGP between r1 and r2 to come back")


def test_a_bgp_neighbour_shut_down_fires_within_two_polls_and_clears(lab, bgp_restored, admin_client):
    host = Host.objects.create(name="r1", address=lab["nodes"][0]["address"])
    check = snmp_check(host, router_credentials(lab))
    AlertRule.objects.create(name="routing session down", metric="sessions_down", comparison=">", threshold=0)
    evaluator = Evaluator(HOST_ALERT_METRICS)

    poll([check], evaluator)
    sessions = {(s.protocol, s.peer): s for s in RoutingSession.objects.filter(host=host)}
    assert sessions[("bgp", PEER)].state == "established"
    assert sessions[("bgp", PEER)].remote_as == 64602
    assert sessions[("ospf", PEER)].state == "full"
    device = Device.objects.get(host=host)  # inventory: net-snmp has no ENTITY-MIB, its sysObjectID names it
    assert (device.sys_name, device.vendor, device.model) == ("r1", "Net-SNMP", "Linux (Net-SNMP agent)")
    assert not Alert.objects.filter(state="firing").exists()
    page = admin_client.get(f"/hosts/{host.pk}/").content.decode()
    assert "Routing sessions" in page
    assert PEER in page
    assert "established" in page

    vtysh(lab, "r1", "configure terminal", "router bgp 64601", f"neighbor {PEER} shutdown")
    for _ in range(2):
        poll([check], evaluator)
        if Alert.objects.filter(state="firing").exists():
            break
    assert Alert.objects.get().state == "firing", "no alert within two polls of the shutdown"
    assert RoutingSession.objects.get(host=host, protocol="bgp").admin_down

    vtysh(lab, "r1", "configure terminal", "router bgp 64601", f"no neighbor {PEER} shutdown")
    until(lambda: established(lab), "BGP between r1 and r2 to come back")
    poll([check], evaluator)
    assert Alert.objects.get().state == "resolved"
    assert RoutingSession.objects.get(host=host, protocol="bgp").up
