"""An alert reaches the browser as a toast and in the bell; acknowledging it in one tab updates the other."""

import pytest
from channels.db import database_sync_to_async
from playwright.async_api import expect

from alerts.evaluator import Evaluator
from core.contracts.metrics import AGENT_ALERT_METRICS
from tests import processes
from tests.alerts.test_alerts import fire, make_rule
from tests.browser import log_in

pytestmark = pytest.mark.browser


async def test_alert_toast_bell_and_ack_across_tabs(alice, browser, unused_tcp_port):
    base_url = f"http://127.0.0.1:{unused_tcp_port}"
    await database_sync_to_async(make_rule)(alice, name="CPU <b>high</b>", severity="critical")
    with processes.daphne(unused_tcp_port):
        context = await browser.new_context()
        first = await context.new_page()
        errors = []
        first.on("pageerror", lambda error: errors.append(str(error)))
        await log_in(first, base_url)
        second = await context.new_page()  # the same session in another tab
        await second.goto(f"{base_url}/chat/")
        for page in (first, second):
            await expect(page.locator("#alert-count")).to_be_hidden()

        await database_sync_to_async(fire)(Evaluator(AGENT_ALERT_METRICS), "agent:web-1", 97)

        for page in (first, second):
            await expect(page.locator("#alert-count")).to_have_text("1")
            toast = page.locator('.toast[data-kind="firing"]')
            await expect(toast).to_contain_text("[Critical] CPU <b>high</b> FIRING on web-1")  # text, not markup
        await first.click("#alert-bell")
        await first.click("#alert-list .ack")

        for page in (first, second):
            await expect(page.locator("#alert-count")).to_be_hidden()
            await expect(page.locator('.toast[data-kind="acknowledged"]')).to_contain_text("acknowledged by alice")
        await second.click("#alert-bell")
        await expect(second.locator("#alert-list li")).to_contain_text("acknowledged by alice")

        # The history page lists both events.
        await second.goto(f"{base_url}/alerts/")
        await expect(second.locator("#alert-events tbody tr")).to_have_count(2)
        await expect(second.locator('#alert-events tr[data-kind="acknowledged"]')).to_contain_text("by alice")
    assert errors == []
