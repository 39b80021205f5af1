"""The host grid at size in Chromium: 300 tiles in chunks stay worst first as states change
live, the focused tile keeps the focus, and arrow keys move by drawn rows."""

import json

import pytest
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from playwright.async_api import expect

from core.contracts.groups import STATS_FRAME, STATS_GROUP
from dashboard.frames import host_summary
from monitor.models import Host, Status
from tests import processes
from tests.browser import log_in

pytestmark = pytest.mark.browser
TURNING = {"host-005": Status.DOWN, "host-150": Status.DEGRADED, "host-290": Status.DOWN, "host-130": Status.PAUSED}


def three_hundred_hosts() -> list[Host]:
    Host.objects.bulk_create(Host(name=f"host-{i:03}", address="127.0.0.1", status=Status.UP) for i in range(300))
    return list(Host.objects.order_by("name"))


async def test_three_hundred_tiles_stay_worst_first_as_states_change(alice, browser, unused_tcp_port):
    hosts = await database_sync_to_async(three_hundred_hosts)()
    base_url = f"http://127.0.0.1:{unused_tcp_port}"
    with processes.daphne(unused_tcp_port):
        page = await browser.new_page(viewport={"width": 1280, "height": 900})
        await log_in(page, base_url)
        await expect(page.locator("#connection")).to_have_attribute("data-state", "live")
        await expect(page.locator("#hosts .tile")).to_have_count(300)
        assert await page.locator("#hosts .tile-chunk").count() == 3

        # host-119 ends the first chunk; with three tiles moving to the front it opens the second.
        focused = page.locator(f'#hosts .tile[data-host-id="{hosts[119].pk}"]')
        await focused.focus()
        changed = []
        for host in hosts:
            if host.name in TURNING:
                host.status = TURNING[host.name]
                changed.append(host_summary(host, []))
        frame = json.dumps({"type": "hosts", "hosts": changed})
        await get_channel_layer().group_send(STATS_GROUP, {"type": STATS_FRAME, "text": frame})

        await expect(page.locator("#hosts .tile").first).to_have_attribute("data-status", "down")
        names = await page.locator("#hosts .tile span").all_text_contents()  # off-screen chunks have no inner text
        rank = {"down": 0, "degraded": 1, "up": 2, "pending": 3, "paused": 4}
        states = {host.name: TURNING.get(host.name, Status.UP) for host in hosts}
        assert names == sorted(states, key=lambda name: (rank[states[name]], name))
        assert await focused.evaluate("tile => tile.parentNode === document.querySelectorAll('.tile-chunk')[1]")
        await expect(focused).to_be_focused()  # moved to the next chunk, still focused

        # Down one drawn row: the tile below in the same column.
        where = (
            "(() => { const box = document.activeElement.getBoundingClientRect(); return [box.x, box.y + scrollY]; })()"
        )
        above = await page.evaluate(where)
        await page.keyboard.press("ArrowDown")
        below = await page.evaluate(where)
        assert below[1] > above[1]
        assert abs(below[0] - above[0]) < 2
