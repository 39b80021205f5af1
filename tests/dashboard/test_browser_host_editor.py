"""The "Add host" dialog in Chromium, as a new user meets it: from an empty installation, a
host with ping, TCP and HTTP checks, tested on a real checks worker before saving, then UP
on the dashboard without a reload. And the dialog passes axe in both themes and fits a phone.

Real daphne, beat, dispatcher and checks worker; real targets on loopback.
"""

import pytest
from playwright.async_api import expect

from tests import processes, targets
from tests.browser import PASSWORD

pytestmark = pytest.mark.browser


async def create_first_admin(page, base_url: str) -> None:
    await page.goto(f"{base_url}/")
    await expect(page).to_have_url(f"{base_url}/setup/")
    await page.fill("#id_username", "ops")
    await page.fill("#id_password1", PASSWORD)
    await page.fill("#id_password2", PASSWORD)
    await page.click("main button[type=submit]")
    await expect(page).to_have_url(f"{base_url}/")
    # Drawn by the page's script, which also opens the dialog: a click before it runs does nothing.
    await expect(page.locator("#hosts .no-hosts")).to_contain_text("Add host")


async def test_a_new_user_adds_a_host_tests_its_checks_and_sees_it_up(
    transactional_db, browser, unused_tcp_port, tmp_path
):
    base_url = f"http://127.0.0.1:{unused_tcp_port}"
    listener = targets.Listener()
    try:
        with (
            targets.http_server() as web,
            processes.together(processes.daphne(unused_tcp_port), processes.checking(tmp_path)),
        ):
            page = await browser.new_page()
            errors = []
            page.on("pageerror", lambda error: errors.append(str(error)))
            await create_first_admin(page, base_url)
            await expect(page.locator("#connection")).to_have_attribute("data-state", "live")

            await page.get_by_role("button", name="Add host").click()
            dialog = page.get_by_role("dialog", name="Add host")
            await expect(dialog).to_be_visible()
            await dialog.get_by_label("Name").fill("web-1")
            await dialog.get_by_label("Address").fill("127.0.0.1")
            # Two checks from the quick-add line, one picked by kind and filled in.
            await dialog.get_by_label("Checks in the CSV syntax").fill(f"ping tcp:{listener.port}")
            await dialog.get_by_role("button", name="Add these checks").click()
            await expect(dialog.locator(".check-row")).to_have_count(2)
            await dialog.get_by_label("Kind of check").select_option("http")
            await dialog.get_by_role("button", name="Add check").click()
            rows = dialog.locator(".check-row")
            await expect(rows).to_have_count(3)
            http = rows.nth(2)
            await http.get_by_label("URL").fill(f"{web}/ok")
            # Each kind shows its own fields only.
            await expect(rows.nth(1).get_by_label("Port")).to_have_value(str(listener.port))
            await expect(rows.nth(1).get_by_label("URL")).to_have_count(0)
            await expect(http.get_by_label("Port")).to_have_count(0)
            await expect(rows.nth(0).get_by_label("Echo requests")).to_have_value("5")

            await dialog.get_by_role("button", name="Test now").click()
            results = dialog.locator(".trial-results li")
            await expect(results).to_have_count(3)
            for index in range(3):
                await expect(results.nth(index)).to_have_attribute("data-status", "up")
            await expect(results.nth(2)).to_contain_text("ms")

            await dialog.get_by_role("button", name="Save").click()
            await expect(dialog).to_be_hidden()
            tile = page.locator("#hosts .tile", has_text="web-1")  # live: no reload
            await expect(tile).to_have_attribute("data-status", "up")
            await expect(page.locator('#hosts .state-counts [data-state="up"]')).to_have_text("UP 1")

            # A maintenance window from its page; then the grid pauses the hosts it shows.
            await tile.click()
            await page.get_by_role("button", name="Maintenance…").click()
            window = page.get_by_role("dialog", name="Maintenance window")
            await window.get_by_label("Reason").fill("disk swap")
            await window.get_by_role("button", name="Start maintenance").click()
            await expect(page.locator(".maintenance-now")).to_contain_text("disk swap")
            await page.goto(f"{base_url}/")
            await page.get_by_label("Filter by name or address").fill("web-")
            await expect(page.locator(".grid-actions .shown-count")).to_have_text("1 host shown")
            await page.get_by_role("toolbar", name="Act on the hosts shown").get_by_role("button", name="Pause").click()
            await expect(page.locator("#hosts .tile", has_text="web-1")).to_have_attribute("data-status", "paused")
    finally:
        listener.close()
    assert errors == []


async def test_a_bad_check_is_shown_beside_its_field_and_nothing_is_saved(transactional_db, browser, unused_tcp_port):
    base_url = f"http://127.0.0.1:{unused_tcp_port}"
    with processes.daphne(unused_tcp_port):
        page = await browser.new_page()
        await create_first_admin(page, base_url)
        await page.get_by_role("button", name="Add host").click()
        dialog = page.get_by_role("dialog", name="Add host")
        await expect(dialog).to_be_visible()
        await dialog.get_by_label("Name").fill("db-1")
        await dialog.get_by_label("Address").fill("127.0.0.1")
        await dialog.get_by_label("Kind of check").select_option("tcp")
        await dialog.get_by_role("button", name="Add check").click()
        await dialog.get_by_role("button", name="Save").click()
        await expect(dialog.locator(".check-row [data-error-for=port]")).to_have_text("A TCP check needs a port.")
        await expect(dialog.get_by_label("Port")).to_have_attribute("aria-invalid", "true")
        await expect(dialog).to_be_visible()
        await dialog.get_by_label("Checks in the CSV syntax").fill("tcp:http")
        await dialog.get_by_role("button", name="Add these checks").click()
        await expect(dialog.locator(".form-error")).to_contain_text("'tcp:http'")
