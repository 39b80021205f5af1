"""Agents at a glance in Chromium: a compact tile each, worst first, sharing the host grid's
filters and keyboard moves, opening to the full card (remembered in the browser)."""

import json
import time

import pytest
from channels.db import database_sync_to_async
from playwright.async_api import expect

from core.redis_io.redis_clients import sync_redis
from monitor.models import Host, Tag
from stats.latest import latest_key
from tests import processes
from tests.browser import log_in
from tests.stats.test_history_store import FRAME

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("no_latest_frames")]


def agents_and_hosts() -> None:
    """Three live agents and one silent for ten minutes; "db-agent" is also a monitored host tagged db."""
    now = time.time()
    for name, ts, cpu in (
        ("web-a", now, 12.0),
        ("web-b", now, 97.0),
        ("db-agent", now, 30.0),
        ("gone", now - 600, 5.0),
    ):
        frame = {**FRAME, "host": name, "ts": ts, "cpu": {**FRAME["cpu"], "percent": cpu}}
        sync_redis().hset(latest_key(), name, json.dumps(frame))
    host = Host.objects.create(name="db-agent", address="127.0.0.1")
    host.tags.add(Tag.objects.create(name="db"))
    Host.objects.create(name="web-host", address="127.0.0.1")


async def test_agent_tiles_sort_filter_move_by_keyboard_and_open(alice, browser, unused_tcp_port):
    await database_sync_to_async(agents_and_hosts)()
    base_url = f"http://127.0.0.1:{unused_tcp_port}"
    with processes.daphne(unused_tcp_port):
        page = await browser.new_page(viewport={"width": 1400, "height": 900})
        errors = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        await log_in(page, base_url)
        tiles = page.locator(".agent-tile")
        await expect(tiles).to_have_count(4)
        # Worst first: the silent agent, then the live ones by name.
        await expect(tiles.first).to_have_attribute("data-state", "stale")
        assert await tiles.evaluate_all("ts => ts.map(t => t.dataset.host)") == ["gone", "db-agent", "web-a", "web-b"]
        await expect(tiles.first.locator(".freshness")).to_contain_text("no report for 10 min")
        web_b = page.locator('.agent-tile[data-host="web-b"]')
        await expect(web_b.locator('[data-now="cpu"]')).to_have_text("97.0 %")
        await expect(web_b).to_have_class("agent-tile hot")  # CPU over 90 % stands out
        assert await page.locator("#agents .card").count() == 0  # no charts until a tile is opened

        # The host grid's filters apply to agents: name, state and (through a host of its name) tag.
        await page.fill(".name-filter", "web")
        await expect(page.locator(".agent-tile:visible")).to_have_count(2)
        await expect(page.locator("#hosts .tile:visible")).to_have_count(1)
        await page.fill(".name-filter", "")
        await page.select_option(".tag-filter", "db")
        await expect(page.locator(".agent-tile:visible")).to_have_attribute("data-host", "db-agent")
        await page.select_option(".tag-filter", "")
        await page.click('.state-counts button[data-state="degraded"]')
        await expect(page.locator(".agent-tile:visible")).to_have_attribute("data-host", "gone")
        await page.click('.state-counts button[data-state=""]')
        await expect(page.locator(".agent-tile:visible")).to_have_count(4)

        # Arrow keys move between tiles; Enter opens one in place, with its charts.
        await page.focus('.agent-tile[data-host="gone"] .agent-open')
        await page.keyboard.press("ArrowRight")
        await expect(page.locator('.agent-tile[data-host="db-agent"] .agent-open')).to_be_focused()
        await page.keyboard.press("End")
        await expect(page.locator('.agent-tile[data-host="web-b"] .agent-open')).to_be_focused()
        await page.keyboard.press("Enter")
        await expect(web_b.locator(".agent-open")).to_have_attribute("aria-expanded", "true")
        await expect(web_b.locator('.card .chart[data-chart="cpu"] canvas')).to_be_visible()
        await expect(web_b.locator('.card [data-now="cpu"]')).to_have_text("97.0 %")

        await page.reload()  # the browser remembers which tiles were open
        await expect(web_b.locator(".card")).to_have_count(1)
        await web_b.locator(".agent-open").click()
        await expect(web_b.locator(".card")).to_have_count(0)
    assert errors == []
