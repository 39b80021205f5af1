"""A device's page shows its top talkers of the last minute, live, from the flows it exports.

Real daphne and flow collector; NetFlow v5 packets sent from loopback (the device's address); Chromium.
"""

import socket

import pytest
from channels.db import database_sync_to_async
from django.utils import timezone
from playwright.async_api import expect

from monitor.devices.models import Interface
from monitor.models import Host
from tests import processes
from tests.browser import log_in
from tests.flows import lab
from tests.flows import packets as p

pytestmark = pytest.mark.browser
FLOWS = [
    {"src": "198.18.7.1", "dst": "198.18.9.9", "bytes": 7_500_000, "packets": 5000, "dport": 443, "in_if": 5},
    {"src": "198.18.7.2", "dst": "198.18.9.9", "bytes": 1_000, "packets": 2, "proto": 17, "dport": 53, "in_if": 5},
]


@database_sync_to_async
def device() -> Host:
    host = Host.objects.create(name="edge-router", address="127.0.0.1")
    Interface.objects.create(host=host, index=5, name="ge-0/0/5", polled_at=timezone.now())
    return host


async def test_the_device_page_shows_its_top_talkers_live(alice, browser, unused_tcp_port):
    host = await device()
    base_url = f"http://127.0.0.1:{unused_tcp_port}"
    netflow_port = lab.free_udp_port()
    with processes.daphne(unused_tcp_port), lab.collector(netflow_port, lab.free_udp_port()):
        page = await browser.new_page()
        errors = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        await log_in(page, base_url)
        await page.goto(f"{base_url}/hosts/{host.pk}/")
        # Joined to the host's frames, not only connected: a frame sent before the join is not seen.
        await expect(page.locator("#connection")).to_have_attribute("data-watching", str(host.pk))
        await expect(page.locator("#talkers")).to_be_hidden()  # no flows yet
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as exporter:
            exporter.sendto(p.v5(FLOWS), ("127.0.0.1", netflow_port))
        talkers = page.locator("#talkers")
        await expect(talkers).to_be_visible()
        port = talkers.locator(".talkers-port", has_text="ge-0/0/5 in")  # the port's name from SNMP
        await expect(port.locator("h3")).to_contain_text("1.0 Mbit/s")  # 7.5 MB in the last minute
        await expect(port.locator("table", has_text="198.18.7.1 > 198.18.9.9")).to_be_visible()
        await expect(port.locator("table", has_text="tcp/443 (https)")).to_be_visible()
    assert errors == []
