"""Alert rules written in Chromium: the preview shows what matches before saving, the rule fires
and its creator gets the toast; a recipient added while it fires gets it at once; axe and a phone."""

import json
import time

import pytest
from channels.db import database_sync_to_async
from playwright.async_api import expect

from accounts import roles
from alerts.evaluator import Evaluator
from core.contracts.metrics import AGENT_ALERT_METRICS
from core.redis_io.redis_clients import sync_redis
from stats.latest import latest_key
from tests import processes
from tests.alerts.test_alerts import fire
from tests.browser import log_in
from tests.roles import user_with_role

pytestmark = pytest.mark.browser
AGENT = "rule-agent"


def agent_reports(cpu: float) -> None:
    frame = {"type": "stats", "host": AGENT, "ts": time.time(), "cpu": {"percent": cpu}}
    sync_redis().hset(latest_key(), AGENT, json.dumps(frame))


async def test_a_rule_written_in_the_product_fires_to_its_creator_and_a_late_recipient(alice, browser, unused_tcp_port):
    await database_sync_to_async(user_with_role)("ops", roles.ADMIN)
    await database_sync_to_async(agent_reports)(97)
    base_url = f"http://127.0.0.1:{unused_tcp_port}"
    try:
        with processes.daphne(unused_tcp_port):
            admin = await (await browser.new_context()).new_page()
            errors = []
            admin.on("pageerror", lambda error: errors.append(str(error)))
            await log_in(admin, base_url, username="ops")
            await admin.goto(f"{base_url}/alerts/rules/")
            await admin.get_by_role("link", name="New rule").click()
            await admin.get_by_label("Name").fill("CPU busy")
            await admin.get_by_label("Metric").select_option("cpu_percent")
            await expect(admin.locator("#threshold-unit")).to_have_text("%")
            await admin.get_by_label("Threshold", exact=True).fill("90")
            await expect(admin.locator(".preview-summary")).to_have_text("Matches 1 of 1 in scope now.")
            await expect(admin.locator(".preview-subjects li")).to_have_text(f"{AGENT}: 97 % — matches")
            await expect(admin.get_by_label("ops")).to_be_checked()  # the creator by default
            await admin.get_by_role("button", name="Save rule").click()
            await expect(admin.locator("#alert-rules")).to_contain_text("CPU busy")
            await admin.goto(f"{base_url}/")

            await database_sync_to_async(fire)(Evaluator(AGENT_ALERT_METRICS), f"agent:{AGENT}", 97)
            await expect(admin.locator('.toast[data-kind="firing"]')).to_contain_text(f"CPU busy FIRING on {AGENT}")

            # alice (an operator) watches her dashboard; the admin adds her to the firing rule.
            watcher = await (await browser.new_context()).new_page()
            await log_in(watcher, base_url)
            await expect(watcher.locator("#alert-count")).to_be_hidden()
            await admin.goto(f"{base_url}/alerts/rules/")
            await admin.get_by_role("link", name="Edit CPU busy").click()
            await admin.get_by_label("alice").check()
            await admin.get_by_role("button", name="Save rule").click()
            await expect(watcher.locator('.toast[data-kind="firing"]')).to_contain_text("CPU busy FIRING")
            await expect(watcher.locator("#alert-count")).to_have_text("1")
    finally:
        await database_sync_to_async(sync_redis().hdel)(latest_key(), AGENT)
    assert errors == []
