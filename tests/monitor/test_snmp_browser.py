"""Network devices in Debian's Chromium: a device page whose ports, polled by a real
checks worker from a real snmpd, update live; the network map drawing two devices and
the link between them that one of them reports (CDP, from a recorded Cisco switch)."""

import asyncio
import re
import time

import pytest
from channels.db import database_sync_to_async
from playwright.async_api import expect

from monitor.models import Check, Host
from tests import processes
from tests.browser import log_in
from tests.monitor.snmp_agents import COMMUNITY, snmpd, snmpsim
from tests.monitor.test_snmp import poll, snmp_check

pytestmark = pytest.mark.browser
RATE = re.compile(r"^\d+(\.\d)? (bit/s|kbit/s|Mbit/s|Gbit/s)$")


@database_sync_to_async
def snmp_device(port: int) -> Host:
    host = Host.objects.create(name="edge-switch", address="127.0.0.1")
    Check.objects.create(host=host, kind="snmp", port=port, community=COMMUNITY, interval_s=10, timeout_s=2)
    return host


async def test_the_device_page_shows_its_ports_updating_live(alice, browser, unused_tcp_port, tmp_path):
    base_url = f"http://127.0.0.1:{unused_tcp_port}"
    page = await browser.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    with snmpd() as agent_port:
        host = await snmp_device(agent_port)
        with processes.together(processes.checking(tmp_path), processes.daphne(unused_tcp_port)):
            await log_in(page, base_url)
            # The first poll discovers the device: reload until the page has its ports.
            lo = page.locator('#ports tr[data-state="up"]', has_text="lo")
            for _ in range(30):  # bounded: the first poll is due within a second of the check's creation
                await page.goto(f"{base_url}/hosts/{host.pk}/")
                if await lo.count():
                    break
                await page.wait_for_timeout(500)
            await expect(page.locator("#device")).to_contain_text("Net-SNMP")
            await expect(page.locator("#connection")).to_have_attribute("data-state", "live")
            inbound = lo.locator('[data-field="in"]')
            # The page opened after the first poll ("–": no rate yet) or, on a busy machine, after a
            # later one (the second slot may come a second after the first). Either way the next poll
            # (10 s later) arrives as a frame and the row shows a rate it did not show before.
            opened_with = await inbound.text_content()
            await expect(inbound).not_to_have_text(opened_with)
            await expect(inbound).to_have_text(RATE)
            chart = page.locator("#port-chart")
            await expect(chart).not_to_have_attribute("data-points", "0")
            # Opened again, the chart starts from history: points at once, not at the next poll 10 s later.
            opened = time.monotonic()
            await page.reload()
            await expect(chart).not_to_have_attribute("data-points", "0", timeout=5_000)
            assert time.monotonic() - opened < 10
            # Filtering by state hides the up ports.
            await page.select_option("#ports .port-state", "down")
            await expect(lo).to_be_hidden()
    assert errors == []


async def test_the_map_draws_two_devices_and_the_link_between_them(alice, browser, unused_tcp_port):
    base_url = f"http://127.0.0.1:{unused_tcp_port}"
    page = await browser.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    with snmpsim() as (cisco_port, community), snmpd() as linux_port:
        # The recorded 3750 reports "C2960X.uac.local" behind its port Fa3/0/48 (CDP);
        # the second device is monitored under that name.
        core = await database_sync_to_async(snmp_check)(cisco_port, community=community)
        access = await database_sync_to_async(snmp_check)(linux_port)
        await database_sync_to_async(Host.objects.filter(pk=access.host_id).update)(name="C2960X.uac.local")
        for check in (core, access):
            result, _ = await asyncio.to_thread(poll, check)
            assert result.status == "up", result.error
    with processes.daphne(unused_tcp_port):
        await log_in(page, base_url)
        await page.goto(f"{base_url}/map/")
        graph = page.locator("#network-map")
        await expect(graph).to_have_attribute("data-nodes", "2")
        await expect(graph).to_have_attribute("data-edges", "1")
        assert await graph.locator("canvas").count() > 0  # cytoscape drew it
        link = page.locator("#links tbody tr")
        await expect(link).to_have_count(1)
        await expect(link).to_contain_text("Fa3/0/48")
        await expect(link).to_contain_text("C2960X.uac.local")
        await expect(page.locator("#connection")).to_have_attribute("data-state", "live")
    assert errors == []
