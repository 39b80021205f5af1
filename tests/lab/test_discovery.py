"""Discovery on the lab: from one seed router, with credential sets the lab's devices
answer only some of, the crawl finds every router and switch once, with their links."""

import asyncio
import time

import pytest

from discovery.crawl import crawl
from netmon_probe.snmp.client import Credentials
from tests.lab.conftest import in_namespace
from tests.lab.snmp import router_credentials, switch_credentials

WRONG = [Credentials("3", user="nobody", auth_protocol="SHA-256", auth_password="wrong-pass-1", priv_protocol="AES",
                     priv_password="wrong-pass-2"), Credentials("2c", community="wrong-community")]  # fmt: skip


HOSTS = {"h1": "198.19.141.11", "h2": "198.19.141.12", "h3": "198.19.142.13"}


@pytest.fixture(scope="module")
def lab_crawl(lab):
    for host in HOSTS:  # a datagram to its gateway puts each host in its router's ARP table
        gateway = "198.19.141.1" if host != "h3" else "198.19.142.1"
        in_namespace(lab, host, "python3", "-c", f"import socket; socket.socket(2, 2).sendto(b'x', ('{gateway}', 9))")
    credential_sets = [switch_credentials(lab), *WRONG, router_credentials(lab)]  # v2c first: v3 must be tried first
    return asyncio.run(crawl([lab["nodes"][0]["address"]], credential_sets, [lab["network"]]))


def test_it_finds_every_router_and_switch_once_from_one_seed(lab_crawl):
    found = lab_crawl
    names = sorted(device.name for device in found.devices.values())
    assert names == ["r1", "r2", "sw1", "sw2"], found
    routers = [device for device in found.devices.values() if device.name in ("r1", "r2")]
    assert all(device.credentials.version == "3" for device in routers)
    assert (
        len(next(d for d in found.devices.values() if d.name == "r1").addresses) >= 2
    )  # one chassis, several addresses
    assert set(HOSTS.values()) <= found.silent  # found in ARP tables, answering no SNMP


def test_it_reads_the_links_and_routing_sessions_it_crawled_through(lab_crawl):
    found = {device.name: device for device in lab_crawl.devices.values()}
    links = {(name, n.local_port, n.name) for name, device in found.items() for n in device.neighbours}
    assert {("r1", "to-sw1", "sw1"), ("r1", "to-r2", "r2"), ("r2", "to-sw2", "sw2")} <= links
    assert [(s.protocol, s.state) for s in found["r2"].sessions] == [("bgp", "established"), ("ospf", "full")]


def test_a_sweep_finds_devices_without_a_seed_at_a_bounded_rate(lab):
    credential_sets = [switch_credentials(lab), router_credentials(lab)]
    started = time.monotonic()
    found = asyncio.run(crawl([], credential_sets, ["198.19.142.0/29"], sweep=["198.19.142.0/29"], sweep_rate=20))
    # The first address at once, the sixth 5 / 20 s later: a sweep of a /29 cannot take less.
    assert time.monotonic() - started >= 0.25
    assert {"sw2", "r2"} <= {device.name for device in found.devices.values()}
