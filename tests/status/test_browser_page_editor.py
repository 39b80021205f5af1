"""A status page written in Chromium: slug from the title, a live preview, Public asked, the
address shown with a copy button, and that address read by someone not signed in."""

import pytest
from channels.db import database_sync_to_async
from playwright.async_api import expect

from accounts import roles
from monitor.models import Host
from tests import processes
from tests.browser import log_in
from tests.roles import user_with_role

pytestmark = pytest.mark.browser


def admin_and_host() -> None:
    user_with_role("ops", roles.ADMIN)
    Host.objects.create(name="api-gateway", address="127.0.0.1")


async def test_publish_a_status_page_and_open_it_anonymously(transactional_db, browser, unused_tcp_port):
    await database_sync_to_async(admin_and_host)()
    base_url = f"http://127.0.0.1:{unused_tcp_port}"
    with processes.daphne(unused_tcp_port):
        context = await browser.new_context()
        await context.grant_permissions(["clipboard-read", "clipboard-write"], origin=base_url)
        page = await context.new_page()
        errors = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        await log_in(page, base_url, username="ops")
        await page.get_by_role("link", name="Status pages").click()
        await page.get_by_role("link", name="New status page").click()
        await page.get_by_label("Title").fill("Acme Cloud Status")
        await expect(page.get_by_label("Slug")).to_have_value("acme-cloud-status")
        await page.get_by_label("api-gateway").check()
        preview = page.locator(".page-preview")
        await expect(preview.locator(".preview-title")).to_have_text("Acme Cloud Status")
        await expect(preview.locator("li")).to_contain_text("api-gateway")
        await expect(preview.locator(".preview-audience")).to_have_text("Choose who may read it.")
        await page.get_by_role("button", name="Save page").click()
        await expect(page.locator(".field-audience .field-error")).to_have_text("Choose who may read the page.")
        await page.get_by_label("Anyone with the address").check()
        await page.get_by_role("button", name="Save page").click()

        address = page.locator("#page-address")
        await expect(address).to_have_text(f"{base_url}/status/acme-cloud-status/")
        await page.get_by_role("button", name="Copy").click()
        await expect(page.get_by_role("button", name="Copied")).to_be_visible()
        assert await page.evaluate("navigator.clipboard.readText()") == f"{base_url}/status/acme-cloud-status/"

        stranger = await (await browser.new_context()).new_page()  # no session at all
        await stranger.goto(await address.get_attribute("href"))
        await expect(stranger.locator("h1")).to_have_text("Acme Cloud Status")
        await expect(stranger.locator("main")).to_contain_text("api-gateway")
    assert errors == []
