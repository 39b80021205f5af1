"""An operator on a host's page, in Chromium: "Test now" runs the host's saved checks on a real
checks worker and lists each result; no configuration control is shown.

Real daphne and checks worker; the target is a listening port on loopback.
"""

import pytest
from channels.db import database_sync_to_async
from playwright.async_api import expect

from monitor.models import Check, Host
from tests import processes, targets
from tests.browser import log_in
from tests.waits import EVENT_TIMEOUT_MS

pytestmark = pytest.mark.browser


def saved_host(port: int) -> int:
    host = Host.objects.create(name="db-1", address="127.0.0.1")
    Check.objects.create(host=host, kind="tcp", settings={"port": port})
    return host.pk


async def test_an_operator_tests_a_hosts_checks_and_sees_no_configuration(alice, browser, unused_tcp_port):
    base_url = f"http://127.0.0.1:{unused_tcp_port}"
    listener = targets.Listener()
    try:
        host_id = await database_sync_to_async(saved_host)(listener.port)
        with processes.together(
            processes.daphne(unused_tcp_port), processes.checks_worker(processes.agent_name("checks"))
        ):
            page = await browser.new_page()
            errors = []
            page.on("pageerror", lambda error: errors.append(str(error)))
            await log_in(page, base_url)  # alice is an operator
            await page.goto(f"{base_url}/hosts/{host_id}/")
            toolbar = page.get_by_role("toolbar", name="Host actions")
            for hidden in ("Edit", "Pause", "Clone", "Delete"):
                await expect(toolbar.get_by_role("button", name=hidden)).to_have_count(0)
            await expect(toolbar.get_by_role("button", name="Maintenance…")).to_be_visible()
            await toolbar.get_by_role("button", name="Test now").click()
            results = page.locator(".host-trial .trial-results li")
            await expect(results).to_have_count(1, timeout=EVENT_TIMEOUT_MS)
            await expect(results.first).to_contain_text(f"tcp :{listener.port}")
            await expect(results.first.locator(".status")).to_have_attribute("data-status", "up")
            assert errors == []
    finally:
        listener.close()
