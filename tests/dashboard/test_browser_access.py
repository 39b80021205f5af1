"""Keyboard, screen readers and phones, in Chromium."""

import pytest
from channels.db import database_sync_to_async
from playwright.async_api import expect

from alerts.evaluator import Evaluator
from core.contracts.metrics import AGENT_ALERT_METRICS
from tests import processes
from tests.alerts.test_alerts import fire, make_rule
from tests.browser import log_in
from tests.dashboard.test_browser_theme import fill_pages

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("no_latest_frames")]


async def test_keyboard_alone_reaches_the_search_and_acknowledges_an_alert_in_the_list(alice, browser, unused_tcp_port):
    await database_sync_to_async(fill_pages)(alice)
    base_url = f"http://127.0.0.1:{unused_tcp_port}"
    with processes.daphne(unused_tcp_port):
        page = await browser.new_page(viewport={"width": 1280, "height": 900})
        await log_in(page, base_url)
        await expect(page.locator("#hosts .tile")).to_have_count(5)

        await page.keyboard.press("/")
        await expect(page.locator(".name-filter")).to_be_focused()
        await page.keyboard.type("cache")
        await expect(page.locator("#hosts .tile:visible")).to_have_count(1)
        assert await page.locator(".name-filter").input_value() == "cache"  # "/" itself was not typed

        bell = page.locator("#alert-bell")
        await bell.focus()
        outline = await page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
        assert outline == "solid"  # focus is visible
        await page.keyboard.press("Enter")
        await expect(page.locator("#alert-dropdown")).to_be_visible()
        await expect(bell).to_have_attribute("aria-expanded", "true")
        await page.keyboard.press("Tab")  # the list's first control: the alert's Acknowledge
        await expect(page.locator("#alert-list .ack")).to_be_focused()
        await page.keyboard.press("Enter")
        await expect(page.locator("#alert-list li")).to_contain_text("acknowledged by alice")
        await page.keyboard.press("Escape")
        await expect(page.locator("#alert-dropdown")).to_be_hidden()
        await expect(bell).to_be_focused()


async def test_a_critical_alert_is_announced_assertively_and_its_toast_can_be_dismissed(
    alice, browser, unused_tcp_port
):
    await database_sync_to_async(make_rule)(alice, name="cpu critical", threshold=50, severity="critical")
    base_url = f"http://127.0.0.1:{unused_tcp_port}"
    with processes.daphne(unused_tcp_port):
        page = await browser.new_page(viewport={"width": 1280, "height": 900})
        await log_in(page, base_url)
        await expect(page.locator("#connection")).to_have_attribute("data-state", "live")
        await database_sync_to_async(fire)(Evaluator(AGENT_ALERT_METRICS), "agent:web-1", 97)
        toast = page.locator(".toast", has_text="cpu critical")
        await expect(toast).to_be_visible()
        announcer = page.locator("#critical-announcer")
        await expect(announcer).to_have_attribute("aria-live", "assertive")
        await expect(announcer).to_contain_text("Critical alert:")
        await toast.get_by_role("button", name="Dismiss").click()
        await expect(toast).to_have_count(0)


def add_wide_checks(host_id: int) -> None:
    """Checks whose row is wider than a phone: a long URL and a long error."""
    from monitor.models import Check

    Check.objects.create(host_id=host_id, kind="tcp", settings={"port": 443})
    url = "https://very-long-host-name.example.org/a/path/that/goes/on/and/on/health?check=" + "x" * 40
    Check.objects.create(host_id=host_id, kind="http", settings={"url": url}, status="down",
                         last_error="connection refused by 127.0.0.1 port 443 after three attempts " * 2)  # fmt: skip


@pytest.mark.parametrize("path", ["/", "/hosts/{host}/", "/alerts/", "/chat/", "/accounts/profile/"])
async def test_a_phone_gets_no_horizontal_scrolling_and_a_folding_top_bar(alice, browser, unused_tcp_port, path):
    host_id = await database_sync_to_async(fill_pages)(alice)
    await database_sync_to_async(add_wide_checks)(host_id)
    base_url = f"http://127.0.0.1:{unused_tcp_port}"
    with processes.daphne(unused_tcp_port):
        page = await browser.new_page(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
        await log_in(page, base_url)
        await page.goto(base_url + path.format(host=host_id))
        await page.wait_for_load_state("networkidle")
        menu = page.locator("#menu-toggle")
        await expect(menu).to_be_visible()
        await expect(page.get_by_role("link", name="Alerts", exact=True)).to_be_hidden()
        await menu.click()
        await expect(page.get_by_role("link", name="Alerts", exact=True)).to_be_visible()
        overflow = await page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{path} is {overflow} px wider than the phone"
        if path.startswith("/hosts/"):
            # The checks table scrolls neither, and every check's State is on screen.
            table = page.locator("#checks")
            sideways = await table.evaluate("table => table.scrollWidth - table.clientWidth")
            assert sideways <= 0, f"the checks table scrolls {sideways} px sideways"
            states = page.locator("#checks [data-field=status]")
            await expect(states).to_have_count(2)
            for index in range(2):
                await expect(states.nth(index)).to_be_in_viewport()
                box = await states.nth(index).bounding_box()
                assert box["x"] >= 0, box
                assert box["x"] + box["width"] <= 390, box
