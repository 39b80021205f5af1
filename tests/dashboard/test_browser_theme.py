"""Dark and light themes in Chromium: the system's choice, a remembered toggle, charts included.
(axe-core, contrast included, runs on every page in both themes and both languages in
tests/accounts/test_browser_languages.py.)"""

import json
import time
from pathlib import Path

import pytest
from channels.db import database_sync_to_async
from playwright.async_api import expect

from alerts.evaluator import Evaluator
from core.contracts.metrics import AGENT_ALERT_METRICS
from core.redis_io.redis_clients import sync_redis
from monitor.models import Host
from stats.latest import latest_key
from status.models import StatusPage
from tests import processes
from tests.alerts.test_alerts import fire, make_rule
from tests.browser import log_in
from tests.stats.test_history_store import FRAME

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("no_latest_frames")]
AXE = Path(__file__).resolve().parents[2] / "static" / "vendor" / "axe-core" / "axe.min.js"
BACKGROUND = {"light": "rgb(244, 246, 248)", "dark": "rgb(15, 20, 26)"}
AXIS = {"light": (0x56, 0x61, 0x6D), "dark": (0xA3, 0xB1, 0xBF)}  # --chart-axis of each theme


def fill_pages(user) -> int:
    """Something of every kind on the pages: hosts in each state, an agent card, an alert."""
    states = {"up": "web", "degraded": "cache", "down": "db", "pending": "new", "paused": "old"}
    for state, name in states.items():
        host = Host.objects.create(name=f"{name}-1", address="127.0.0.1")
        Host.objects.filter(pk=host.pk).update(status=state, last_latency_ms=12.5)
    page = StatusPage.objects.create(slug="theme", title="Theme status", public=True)
    page.hosts.set(Host.objects.all())
    make_rule(user, name="cpu high", threshold=50)
    fire(Evaluator(AGENT_ALERT_METRICS), "agent:theme-agent", 90)
    agent_reports_now()
    return Host.objects.get(name="web-1").pk


def agent_reports_now() -> None:
    """The agent card's latest frame, dated now: a page opened within 5 s shows it live."""
    sync_redis().hset(latest_key(), "theme-agent", json.dumps({**FRAME, "host": "theme-agent", "ts": time.time()}))


async def axis_pixels(page, theme: str) -> int:
    """Pixels of the first chart's canvas in (about) the theme's axis colour."""
    red, green, blue = AXIS[theme]
    return await page.evaluate(
        """([r, g, b]) => {
            const canvas = document.querySelector(".chart canvas");
            const data = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
            let near = 0;
            for (let i = 0; i < data.length; i += 4) {
                if (data[i + 3] > 200 && Math.abs(data[i] - r) + Math.abs(data[i + 1] - g) + Math.abs(data[i + 2] - b) < 24) near++;
            }
            return near;
        }""",
        [red, green, blue],
    )


async def test_the_theme_follows_the_system_and_a_toggle_that_is_remembered(alice, browser, unused_tcp_port):
    await database_sync_to_async(fill_pages)(alice)
    base_url = f"http://127.0.0.1:{unused_tcp_port}"
    with processes.daphne(unused_tcp_port):
        context = await browser.new_context(color_scheme="dark", viewport={"width": 1280, "height": 900})
        page = await context.new_page()
        errors = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        await log_in(page, base_url)
        await expect(page.locator("html")).to_have_attribute("data-theme", "dark")
        assert await page.evaluate("getComputedStyle(document.body).backgroundColor") == BACKGROUND["dark"]
        await page.click('.agent-tile[data-host="theme-agent"] .agent-open')
        await expect(page.locator('.card[data-host="theme-agent"] .chart canvas').first).to_be_visible()
        assert await axis_pixels(page, "dark") > 20
        assert await axis_pixels(page, "light") == 0

        await page.click("#theme-toggle")  # light, whatever the system says
        await expect(page.locator("html")).to_have_attribute("data-theme", "light")
        await expect(page.locator("#theme-toggle")).to_have_attribute("aria-pressed", "false")
        await expect(page.locator("#theme-toggle .toggle-state")).to_have_text("off")  # the label follows
        assert await page.evaluate("getComputedStyle(document.body).backgroundColor") == BACKGROUND["light"]
        assert await axis_pixels(page, "light") > 20  # the charts redrew in the new theme
        await page.reload()
        await expect(page.locator("html")).to_have_attribute("data-theme", "light")  # remembered
        await context.close()
    assert errors == []
