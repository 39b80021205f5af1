"""The device page in Debian's Chromium: a linkDown trap from net-snmp's snmptrap turns the
port down and shows in the live tail, before any poll."""

import asyncio

import pytest
from channels.db import database_sync_to_async
from playwright.async_api import expect

from tests import processes
from tests.browser import log_in
from tests.events import senders
from tests.events.senders import IF_INDEX, LINK_DOWN
from tests.events.test_receiver import make_device

pytestmark = pytest.mark.browser


async def test_a_link_down_trap_turns_the_port_down_on_the_page(alice, browser, unused_tcp_port, ports):
    base_url = f"http://127.0.0.1:{unused_tcp_port}"
    host = await database_sync_to_async(make_device)()
    trap_port, syslog_port = ports
    page = await browser.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    with processes.together(processes.daphne(unused_tcp_port), processes.events_receiver(trap_port, syslog_port)):
        await log_in(page, base_url)
        await page.goto(f"{base_url}/hosts/{host.pk}/")
        # Joined to the host's frames, not only connected: a frame sent before the join is not seen.
        await expect(page.locator("#connection")).to_have_attribute("data-watching", str(host.pk))
        await expect(page.locator('#ports tr[data-state="up"]', has_text="eth1")).to_have_count(1)
        sent = await asyncio.to_thread(senders.snmptrap, trap_port, "2c", LINK_DOWN, f"{IF_INDEX}.2", "i", "2")
        assert sent.returncode == 0
        await expect(page.locator('#ports tr[data-state="down"]', has_text="eth1")).to_have_count(1)
        await expect(page.locator("#device-events tbody tr").first).to_contain_text("IF-MIB::linkDown")
    assert errors == []
