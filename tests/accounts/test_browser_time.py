"""Times in the reader's zone, in Chromium: the browser's zone by default, the profile's once chosen;
server-rendered and script-rendered times alike carry their zone."""

import re
from datetime import UTC, datetime

import pytest
from channels.db import database_sync_to_async
from playwright.async_api import expect

from alerts.models import Alert, AlertEvent, AlertRule
from tests import processes
from tests.browser import log_in

pytestmark = pytest.mark.browser
NOON_UTC = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)


def firing_alert(user) -> None:
    rule = AlertRule.objects.create(name="cpu high", metric="cpu_percent", threshold=90)
    rule.recipients.add(user)
    alert = Alert.objects.create(
        rule=rule, subject="agent:web-1", subject_label="web-1", state="firing", value=95, since=NOON_UTC
    )
    AlertEvent.objects.create(alert=alert, kind="firing", value=95, message="cpu 95", created_at=NOON_UTC)


async def test_times_follow_the_browsers_zone_then_the_profiles(alice, browser, unused_tcp_port):
    await database_sync_to_async(firing_alert)(alice)
    base_url = f"http://127.0.0.1:{unused_tcp_port}"
    with processes.daphne(unused_tcp_port):
        context = await browser.new_context(timezone_id="Asia/Shanghai")
        page = await context.new_page()
        await log_in(page, base_url)
        await page.goto(f"{base_url}/alerts/")
        await expect(page.locator("#alert-events td.num").first).to_have_text("2026-11-24 20:00:00 CST")
        await page.click("#alert-bell")
        await expect(page.locator("#alert-list")).to_contain_text(re.compile(r"since 2026-11-24 20:00:00 (CST|GMT\+8)"))

        await page.goto(f"{base_url}/accounts/profile/")
        await page.select_option("#id_time_zone", "America/New_York")
        await page.click("#preferences button[type=submit]")
        await expect(page.locator(".messages")).to_contain_text("Preferences saved.")
        await page.goto(f"{base_url}/alerts/")
        await expect(page.locator("#alert-events td.num").first).to_have_text("2026-11-24 07:00:00 EST")
        await page.click("#alert-bell")
        await expect(page.locator("#alert-list")).to_contain_text(re.compile(r"since 2026-11-24 07:00:00 (EST|GMT-5)"))
        await context.close()
