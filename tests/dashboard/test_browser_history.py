"""Stored history in Chromium: pick 24 h on a host page, zoom by dragging, back to live; a range on the dashboard."""

import asyncio
import json
import re
import time

import pytest
from channels.db import database_sync_to_async
from playwright.async_api import expect

from core.redis_io.redis_clients import sync_redis
from monitor.models import Check, Host
from stats.history import ingest, rollup
from stats.latest import latest_key
from stats.models import Agent
from tests import processes
from tests.browser import log_in
from tests.stats.test_history_store import FRAME

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("no_latest_frames")]
DAY = 86_400


def generate_history(now: int) -> int:
    """A day of latency for a host's check (every 30 s), two hours of an agent's CPU (every second)."""
    host = Host.objects.create(name="history-host", address="127.0.0.1")
    check = Check.objects.create(host=host, kind="tcp", port=9, interval_s=30)
    ingest.store(
        (f"check:{check.pk}", "check.latency_ms", "", now - DAY + t, 5 + t % 600 / 60) for t in range(0, DAY, 30)
    )
    Agent.objects.create(name="history-agent")
    ingest.store(("agent:history-agent", "cpu.percent", "", now - 7200 + t, 20 + t % 60) for t in range(7200))
    rollup.roll_up(now)
    return host.pk


async def series_response(page, action):
    async with page.expect_response(lambda r: "/series?" in r.url) as response:
        await action()
    return await (await response.value).json()


async def test_picking_24h_redraws_the_host_chart_and_dragging_zooms_in(alice, browser, unused_tcp_port):
    host_id = await database_sync_to_async(generate_history)(int(time.time()))
    base_url = f"http://127.0.0.1:{unused_tcp_port}"
    with processes.daphne(unused_tcp_port):
        page = await browser.new_page(viewport={"width": 1280, "height": 900})
        errors = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        await log_in(page, base_url)
        await page.goto(f"{base_url}/hosts/{host_id}/")
        chart = page.locator("#latency-chart")
        await expect(chart).to_have_attribute("data-points", "0")  # no results in the last hour's live seed

        body = await series_response(page, lambda: page.click('#range [data-range="24h"]'))
        assert body["tier"] == "minute"
        assert body["step"] >= 120
        drawn = len(body["t"])
        await expect(chart).to_have_attribute("data-points", str(drawn))
        assert drawn > 300
        assert sum(v is not None for v in body["series"][0]["avg"]) > 300
        # Each bucket's min and max are drawn as a band around the average.
        latency = body["series"][0]
        assert (
            sum(high > low for low, high in zip(latency["min"], latency["max"], strict=True) if low is not None) > 300
        )
        await expect(chart).to_have_attribute("data-band", "min-max")
        await expect(chart).not_to_have_attribute("data-band-shapes", "0")
        await expect(page.locator('#range [data-range="24h"]')).to_have_attribute("aria-pressed", "true")

        # Drag across the middle fifth of the chart: that span, at a finer step.
        box = await chart.locator(".u-over").bounding_box()
        y = box["y"] + box["height"] / 2
        await page.mouse.move(box["x"] + box["width"] * 0.4, y)
        await page.mouse.down()

        async def release():
            await page.mouse.move(box["x"] + box["width"] * 0.6, y, steps=5)
            await page.mouse.up()

        zoomed = await series_response(page, release)
        assert zoomed["step"] < body["step"]
        assert 3 * 3600 < zoomed["to"] - zoomed["from"] < 6 * 3600
        await expect(page.locator("#range")).to_have_attribute("data-range", "zoom")
        await expect(chart).to_have_attribute("data-points", str(len(zoomed["t"])))

        await page.click('#range [data-range="live"]')
        await expect(chart).to_have_attribute("data-points", "0")
        await expect(chart).to_have_attribute("data-band", "none")
    assert errors == []


async def test_a_range_on_the_dashboard_draws_an_agents_history(alice, browser, unused_tcp_port):
    now = int(time.time())
    await database_sync_to_async(generate_history)(now)
    # The agent's latest frame makes its card appear on connect.
    sync_redis().hset(latest_key(), "history-agent", json.dumps({**FRAME, "host": "history-agent", "ts": now}))
    base_url = f"http://127.0.0.1:{unused_tcp_port}"
    with processes.daphne(unused_tcp_port):
        page = await browser.new_page(viewport={"width": 1280, "height": 900})
        await log_in(page, base_url)
        await page.click('.agent-tile[data-host="history-agent"] .agent-open')
        card = page.locator('.card[data-host="history-agent"]')
        cpu = card.locator('.chart[data-chart="cpu"]')
        # Opened, the card shows the last five minutes at once, from the raw tier.
        await expect(cpu).to_have_attribute("data-points", re.compile(r"^(29[0-9]|30[01])$"))
        live_points = await cpu.get_attribute("data-points")

        body = await series_response(page, lambda: page.click('#range [data-range="6h"]'))
        assert body["tier"] == "minute"  # a card's chart is a few hundred pixels wide: over 60 s per point
        await expect(card).to_have_attribute("data-shown", "history")
        await expect(cpu).to_have_attribute("data-points", str(len(body["t"])))
        await expect(cpu).to_have_attribute("data-band", "min-max")
        await expect(cpu).not_to_have_attribute("data-band-shapes", "0")
        cpu_series = next(s for s in body["series"] if s["metric"] == "cpu.percent")
        assert sum(v is not None for v in cpu_series["avg"]) >= 2 * 3600 // body["step"] - 1  # two hours stored

        await page.click('#range [data-range="live"]')
        await expect(card).to_have_attribute("data-shown", "live")
        await expect(cpu).to_have_attribute("data-points", live_points)


async def test_a_range_shows_that_it_is_loading_and_why_it_failed_then_loads_on_retry(alice, browser, unused_tcp_port):
    host_id = await database_sync_to_async(generate_history)(int(time.time()))
    base_url = f"http://127.0.0.1:{unused_tcp_port}"
    answer = asyncio.Event()

    async def failing(route):
        await answer.wait()  # held until the test has seen the loading state
        await route.fulfill(status=503, json={"detail": "history is unavailable"})

    with processes.daphne(unused_tcp_port):
        page = await browser.new_page(viewport={"width": 1280, "height": 900})
        await log_in(page, base_url)
        await page.goto(f"{base_url}/hosts/{host_id}/")
        await page.route("**/series?*", failing)  # the API failing: the seam between page and server
        status = page.locator("#range .range-status")
        await page.click('#range [data-range="24h"]')
        await expect(status).to_have_text("Loading 24 h…")
        await expect(page.locator("#range")).to_have_attribute("data-loading", "loading")
        answer.set()
        await expect(status).to_have_text("Could not load 24 h: history is unavailable")
        await expect(page.locator("#range")).to_have_attribute("data-loading", "error")
        retry = page.locator("#range button", has_text="try again")
        await expect(retry).to_be_visible()

        await page.unroute("**/series?*")
        await retry.click()
        await expect(status).to_have_text("")
        await expect(retry).to_be_hidden()
        await expect(page.locator("#latency-chart")).not_to_have_attribute("data-points", "0")
