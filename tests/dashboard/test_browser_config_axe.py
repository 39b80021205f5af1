"""Every configuration page and dialog, light and dark, on a phone's width (390 px): axe-core
finds no serious or critical violation, and no page scrolls sideways."""

import asyncio
import time

import pytest
from channels.db import database_sync_to_async
from playwright.async_api import expect

from accounts import roles
from alerts.models import AlertRule
from monitor.models import Check, Host
from status.models import StatusPage
from tests import processes
from tests.accounts.test_browser_languages import serious_violations
from tests.browser import log_in
from tests.roles import user_with_role
from tests.waits import EVENT_TIMEOUT_S

pytestmark = pytest.mark.browser
SIDEWAYS = "document.documentElement.scrollWidth - document.documentElement.clientWidth"


def configured() -> int:
    admin = user_with_role("ops", roles.ADMIN)
    host = Host.objects.create(name="web-1", address="127.0.0.1")
    Check.objects.create(host=host, kind="tcp", port=22)
    AlertRule.objects.create(name="cpu", metric="cpu_percent", threshold=90).recipients.add(admin)
    StatusPage.objects.create(slug="acme", title="Acme", public=True).hosts.add(host)
    return host.pk


async def problems(page) -> list:
    await page.wait_for_load_state("networkidle")
    found = await serious_violations(page)
    if await page.evaluate(SIDEWAYS) > 0:
        found.append(("scrolls sideways", await page.evaluate(SIDEWAYS)))
    return found


@pytest.mark.parametrize("scheme", ["light", "dark"])
async def test_configuration_pages_and_dialogs_pass_axe_and_fit_a_phone(
    transactional_db, browser, unused_tcp_port, scheme
):
    host_id = await database_sync_to_async(configured)()
    base_url = f"http://127.0.0.1:{unused_tcp_port}"
    with processes.daphne(unused_tcp_port):
        context = await browser.new_context(
            color_scheme=scheme, bypass_csp=True, viewport={"width": 390, "height": 844}
        )
        page = await context.new_page()
        fonts = set()
        page.on(
            "response",
            lambda r: fonts.add(r.url.split("language-name-")[1][:3]) if "language-name-" in r.url and r.ok else None,
        )
        await log_in(page, base_url, username="ops")
        await expect(page.locator("html")).to_have_attribute("data-theme", scheme)
        # 简体中文 on the language switch: this machine has no CJK font, so Chromium fetches the
        # vendored subsets, each only for the characters of its unicode-range that it draws.
        deadline = time.monotonic() + EVENT_TIMEOUT_S
        while sorted(fonts) != ["117", "118", "119"] and time.monotonic() < deadline:
            await asyncio.sleep(0.05)  # until the responses arrive, bounded
        assert sorted(fonts) == ["117", "118", "119"]
        found = {}
        # The page's script opens the dialogs: a click before it has run does nothing.
        await expect(page.locator("#connection")).to_have_attribute("data-state", "live")
        await page.get_by_role("button", name="Add host").click()
        dialog = page.get_by_role("dialog", name="Add host")
        for kind in ("ping", "tcp", "http", "dns", "snmp", "path"):  # every kind's fields at once
            await dialog.get_by_label("Kind of check").select_option(kind)
            await dialog.get_by_role("button", name="Add check").click()
        await expect(dialog.locator(".check-row")).to_have_count(6)
        found["add host"] = await problems(page)
        await dialog.get_by_role("button", name="Cancel").click()
        await page.get_by_role("button", name="Add device").click()
        await page.get_by_label("v3, with a user").check()
        found["add device"] = await problems(page)
        paths = [f"/hosts/{host_id}/", "/alerts/rules/", "/alerts/rules/new/", "/status-pages/", "/status-pages/new/",
                 "/agents/"]  # fmt: skip
        for path in paths:
            await page.goto(f"{base_url}{path}")
            found[path] = await problems(page)
        await page.goto(f"{base_url}/hosts/{host_id}/")
        await page.get_by_role("button", name="Maintenance…").click()
        found["maintenance"] = await problems(page)
        await context.close()
    assert found == {name: [] for name in found}
