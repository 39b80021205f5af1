"""“Add device” in Chromium: an address and a v2c community (a local snmpd on a loopback
port); Test shows the device's name, description and port count; saved, its page lists its ports.
Real daphne, beat, dispatcher and checks worker."""

import re

import pytest
from channels.db import database_sync_to_async
from playwright.async_api import expect

from accounts import roles
from tests import processes
from tests.browser import log_in
from tests.monitor.snmp_agents import COMMUNITY, snmpd
from tests.roles import user_with_role

pytestmark = pytest.mark.browser


async def test_add_a_device_test_it_and_see_its_ports(transactional_db, browser, unused_tcp_port, tmp_path):
    await database_sync_to_async(user_with_role)("ops", roles.ADMIN)
    base_url = f"http://127.0.0.1:{unused_tcp_port}"
    page = await browser.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    with snmpd() as agent_port, processes.together(processes.checking(tmp_path), processes.daphne(unused_tcp_port)):
        await log_in(page, base_url, username="ops")
        # The page's script opens the dialogs: a click before it has run does nothing.
        await expect(page.locator("#connection")).to_have_attribute("data-state", "live")
        await page.get_by_role("button", name="Add device").click()
        dialog = page.get_by_role("dialog", name="Add device")
        await dialog.get_by_label("Address").fill("127.0.0.1")
        await dialog.get_by_label("SNMP port").fill(str(agent_port))
        await dialog.get_by_label("Community", exact=True).fill("wrong-community")
        await dialog.get_by_role("button", name="Test").click()
        await expect(dialog.locator(".trial-state")).to_contain_text("No answer")
        await dialog.get_by_label("Community", exact=True).fill(COMMUNITY)
        await dialog.get_by_role("button", name="Test").click()
        facts = dialog.locator(".device-facts")
        await expect(facts.locator('[data-fact="description"]')).to_contain_text("Linux")
        await expect(facts.locator('[data-fact="ports"]')).to_have_text(re.compile(r"^[1-9]\d*$"))
        name = await facts.locator('[data-fact="name"]').text_content()
        await dialog.get_by_role("button", name="Save").click()
        await expect(page.locator(".host-head h1")).to_have_text(name)
        lo = page.locator("#ports tr", has_text="lo")
        for _ in range(60):  # bounded: the first poll is due within a second of saving
            if await lo.count():
                break
            await page.wait_for_timeout(500)
            await page.reload()
        await expect(lo.first).to_be_visible()
        await expect(page.locator("#device")).to_contain_text("Linux")
    assert errors == []
