"""Where is this MAC or IP, on the lab: a host's MAC is found on the switch port it is plugged
into, with its VLAN; its IP through the router's ARP table leads to the same port; the uplink
port where the MAC is also seen comes after it, with the neighbour on that port."""

import pytest

from monitor.devices.models import Vlan
from monitor.devices.search import where
from monitor.models import Host
from tests.lab.conftest import in_namespace
from tests.lab.polling import poll, snmp_check
from tests.lab.snmp import router_credentials, switch_credentials

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_hosts_mac_and_ip_lead_to_its_switch_port(lab, admin_client):
    mac = in_namespace(lab, "h2", "cat", "/sys/class/net/eth0/address").stdout.strip()
    in_namespace(lab, "h2", "python3", "-c", "import socket; socket.socket(2, 2).sendto(b'x', ('198.19.141.1', 9))")
    poll([snmp_check(Host.objects.create(name="r1", address="198.19.140.2"), router_credentials(lab)),
          snmp_check(Host.objects.create(name="sw1", address="198.19.141.2"), switch_credentials(lab))])  # fmt: skip

    by_mac = where(mac.upper().replace(":", "-"))
    assert (by_mac[0].device, by_mac[0].port, by_mac[0].vlan, by_mac[0].neighbour) == ("sw1", "p3", 1, "")
    by_ip = where("198.19.141.12")
    assert (by_ip[0].device, by_ip[0].port, by_ip[0].mac) == ("sw1", "p3", mac)
    assert [(s.device, s.kind, s.ip) for s in by_ip if s.kind == "arp"] == [("r1", "arp", "198.19.141.12")]

    assert list(Vlan.objects.filter(host__name="sw1").values_list("vid", "name")) == [(1, "default")]

    page = admin_client.get("/where/", {"q": "198.19.141.12"}).content.decode()
    assert "p3" in page
    assert mac in page
    api = admin_client.get("/api/where/", {"q": mac}).json()
    assert api[0]["port"] == "p3"
