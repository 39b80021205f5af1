"""A host added in admin appears on another user's dashboard grid, live, and turns DOWN when its target stops.

Real daphne, beat, dispatcher and checks worker; Debian's Chromium.
"""

import pytest
from channels.db import database_sync_to_async
from django.contrib.auth import get_user_model
from playwright.async_api import expect

from tests import processes, targets
from tests.browser import PASSWORD, log_in

pytestmark = pytest.mark.browser


async def test_host_added_in_admin_appears_on_the_grid_and_turns_down(alice, browser, unused_tcp_port, tmp_path):
    await database_sync_to_async(get_user_model().objects.create_superuser)("root", password=PASSWORD)
    base_url = f"http://127.0.0.1:{unused_tcp_port}"
    listener = targets.Listener()
    try:
        with processes.together(processes.daphne(unused_tcp_port), processes.checking(tmp_path)):
            watcher = await browser.new_page()
            errors = []
            watcher.on("pageerror", lambda error: errors.append(str(error)))
            await log_in(watcher, base_url)
            await expect(watcher.locator("#connection")).to_have_attribute("data-state", "live")
            await expect(watcher.locator("#hosts .no-hosts")).to_be_visible()

            # An admin adds the host and a TCP check in another browser context.
            admin = await (await browser.new_context()).new_page()
            await log_in(admin, base_url, username="root")
            await admin.goto(f"{base_url}/admin/monitor/host/add/")
            await admin.fill("#id_name", "<i>edge-router</i>")
            await admin.fill("#id_address", "127.0.0.1")
            await admin.click("#checks-group .add-row a")
            await admin.select_option("#id_checks-0-kind", "tcp")
            await admin.fill("#id_checks-0-interval_s", "5")
            await admin.fill("#id_checks-0-timeout_s", "1")
            await admin.fill("#id_checks-0-port", str(listener.port))
            await admin.click("input[name=_save]")
            await expect(admin.locator(".messagelist .success")).to_contain_text("was added successfully")

            # The watcher never reloads: the tile arrives with the first result.
            tile = watcher.locator("#hosts .tile", has_text="<i>edge-router</i>")  # shown as text, not markup
            await expect(tile).to_have_attribute("data-status", "up")
            await expect(tile.locator("small")).to_contain_text("ms")
            await expect(watcher.locator('#hosts .state-counts [data-state="up"]')).to_have_text("UP 1")

            listener.close()  # the target stops
            await expect(tile).to_have_attribute("data-status", "down")
            await expect(tile.locator("small")).to_have_text("DOWN")
            await expect(watcher.locator('#hosts .state-counts [data-state="down"]')).to_have_text("DOWN 1")

            # Filtering by state hides it; its page shows the reason.
            await watcher.click('#hosts .state-counts [data-state="up"]')
            await expect(tile).to_be_hidden()
            await watcher.click('#hosts .state-counts [data-state="up"]')
            await tile.click()
            await expect(watcher.locator("#host-status")).to_have_text("DOWN")
            await expect(watcher.locator('#checks [data-field="error"]')).to_have_text("connection refused")
            await expect(watcher.locator("#recent .error").first).to_have_text("connection refused")
            await expect(watcher.locator("#latency-chart")).not_to_have_attribute("data-points", "0")
    finally:
        listener.close()
    assert errors == []
