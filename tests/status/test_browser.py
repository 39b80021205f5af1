"""A status page in Chromium, against real daphne, beat, dispatcher and checks worker.

An anonymous visitor sees the hosts and their uptime and watches one turn DOWN without
reloading; a login-only page sends the visitor to log in; neither the page nor its
socket ever carries the host's address or what its check connects to.
"""

import pytest
from channels.db import database_sync_to_async
from playwright.async_api import expect

from monitor.models import Check, Host
from status.models import StatusPage
from tests import processes, targets
from tests.browser import log_in

pytestmark = pytest.mark.browser


def make_pages(port: int) -> list[str]:
    """A public page and a login-only one; returns what neither may show."""
    host = Host.objects.create(name="Checkout API", address="127.0.0.1")
    check = Check.objects.create(host=host, kind="tcp", port=port, interval_s=5, timeout_s=1)
    public = StatusPage.objects.create(slug="shop", title="Shop status", public=True)
    public.hosts.add(host)
    StatusPage.objects.create(slug="internal", title="Internal", public=False).hosts.add(host)
    return ["127.0.0.1", check.describe(), f":{port}"]


async def test_a_visitor_watches_a_host_go_down_on_a_public_page(alice, browser, unused_tcp_port, tmp_path):
    listener = targets.Listener()
    hidden = await database_sync_to_async(make_pages)(listener.port)
    base_url = f"http://127.0.0.1:{unused_tcp_port}"
    try:
        with processes.together(processes.daphne(unused_tcp_port), processes.checking(tmp_path)):
            visitor = await (await browser.new_context()).new_page()
            errors, frames = [], []
            visitor.on("pageerror", lambda error: errors.append(str(error)))
            visitor.on("websocket", lambda ws: ws.on("framereceived", lambda payload: frames.append(payload)))
            response = await visitor.goto(f"{base_url}/status/shop/")
            html = await response.text()

            host = visitor.locator('.status-host:has-text("Checkout API")')
            await expect(visitor.locator("#status-connection")).to_have_attribute("data-state", "live")
            await expect(host.locator(".status-state")).to_have_text("UP")
            await expect(visitor.locator("#status-overall")).to_have_text("All services are operational")
            await expect(host.locator(".status-uptime dd").first).to_have_text("100.00%")
            await expect(host.locator(".status-bars li")).to_have_count(90)
            await expect(host.locator('.status-bars li[data-level="up"]')).to_have_count(1)

            listener.close()  # the service stops answering
            await expect(host.locator(".status-state")).to_have_text("DOWN")
            await expect(visitor.locator("#status-overall")).to_have_text("Some services are down")
            assert await host.locator(".status-uptime dd").first.inner_text() != "100.00%"

            # A login-only page: the visitor is sent to log in, and sees it once logged in.
            await visitor.goto(f"{base_url}/status/internal/")
            await expect(visitor).to_have_url(f"{base_url}/accounts/login/?next=/status/internal/")
            member = await (await browser.new_context()).new_page()
            await log_in(member, base_url)
            await member.goto(f"{base_url}/status/internal/")
            await expect(member.locator(".status-host .status-state")).to_have_text("DOWN")
    finally:
        listener.close()
    assert errors == []
    assert len(frames) >= 2  # the first document and at least one change
    for shown in [html, *frames]:
        text = shown if isinstance(shown, str) else shown.decode()
        for secret in hidden:
            assert secret not in text
