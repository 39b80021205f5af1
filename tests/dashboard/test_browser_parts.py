"""In Chromium: the dashboard says when checks stop being dispatched or the database stops answering,
and takes it back when they recover (the frames stats.part_watch sends)."""

import time

import pytest
from playwright.async_api import expect

from stats.part_watch import PartState
from tests import processes
from tests.browser import log_in

pytestmark = pytest.mark.browser


async def test_the_dashboard_says_when_the_database_or_the_dispatcher_stops_and_when_they_are_back(
    alice, browser, unused_tcp_port
):
    base_url = f"http://127.0.0.1:{unused_tcp_port}"
    database, dispatch = PartState("database", "available"), PartState("checks_dispatch", "running")
    with processes.daphne(unused_tcp_port):
        context = await browser.new_context()
        page = await context.new_page()
        await log_in(page, base_url)
        await expect(page.locator("#connection")).to_have_attribute("data-state", "live")
        database_down, dispatch_stopped = page.locator("#database-down"), page.locator("#dispatch-stopped")
        await expect(database_down).to_be_hidden()
        await expect(dispatch_stopped).to_be_hidden()

        since = time.time() - 90
        await database.tell(False, since)
        await expect(database_down).to_be_visible()
        await expect(database_down).to_contain_text("The database has not answered since")
        await expect(database_down).to_contain_text("are written when it is back")
        await expect(database_down).to_have_attribute("role", "alert")  # read out when it appears
        await dispatch.tell(False, since)
        await expect(dispatch_stopped).to_contain_text("Checks are not running")

        # A page opened now is told at once (the last word is remembered).
        later = await context.new_page()  # the same signed-in browser
        await later.goto(base_url + "/")
        await expect(later.locator("#database-down")).to_be_visible()
        await expect(later.locator("#dispatch-stopped")).to_be_visible()

        await database.tell(True, time.time())
        await dispatch.tell(True, time.time())
        await expect(database_down).to_be_hidden()
        await expect(dispatch_stopped).to_be_hidden()
