"""The dashboard in Debian's Chromium, against real daphne, ingest and agent processes."""

import pytest
from playwright.async_api import expect

from tests import processes
from tests.browser import log_in
from tests.waits import EVENT_TIMEOUT_MS

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("no_latest_frames")]


async def points(page, host: str) -> int:
    chart = page.locator(f'.card[data-host="{host}"] .chart[data-chart="cpu"]')
    return int(await chart.get_attribute("data-points") or 0)


async def wait_for_more_points(page, host: str, than: int, timeout_ms: int = EVENT_TIMEOUT_MS) -> None:
    selector = f'.card[data-host="{host}"] .chart[data-chart="cpu"]'
    await page.wait_for_function(
        "([selector, than]) => Number(document.querySelector(selector)?.dataset.points || 0) > than",
        arg=[selector, than],
        timeout=timeout_ms,
    )


async def test_a_logged_in_user_sees_the_charts_move_and_survive_a_server_restart(
    alice, browser, unused_tcp_port, tmp_path
):
    base_url = f"http://127.0.0.1:{unused_tcp_port}"
    host = processes.agent_name("browser")
    page = await browser.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))

    processes.register(host)
    with processes.ingest(), processes.agent(host):
        with processes.daphne(unused_tcp_port):
            await log_in(page, base_url)
            await expect(page.locator("#connection")).to_have_attribute("data-state", "live")
            await expect(page.locator(f'.agent-tile[data-host="{host}"] .freshness')).to_have_text("live")
            await page.click(f'.agent-tile[data-host="{host}"] .agent-open')  # the tile opens to its charts
            await wait_for_more_points(page, host, than=1)
            seen = await points(page, host)
            await wait_for_more_points(page, host, than=seen)  # and the chart keeps gaining points
            await expect(page.locator(f'.card[data-host="{host}"] [data-now="cpu"]')).to_contain_text("%")

        # The server went away: the page says so, and reconnects once it is back.
        await expect(page.locator("#connection")).to_have_attribute("data-state", "offline")
        before_restart = await points(page, host)
        with processes.daphne(unused_tcp_port):
            await expect(page.locator("#connection")).to_have_attribute("data-state", "live")
            await wait_for_more_points(page, host, than=before_restart)

    assert errors == []
