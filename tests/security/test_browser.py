"""In Chromium through real daphne: logging out in one tab ends the other tab's live view,
and no page breaks the Content Security Policy it is sent with."""

import re

import pytest
from django.contrib.auth import get_user_model
from playwright.async_api import expect

from tests import processes
from tests.browser import PASSWORD, log_in

pytestmark = pytest.mark.browser


def csp_violations(page) -> list[str]:
    found = []
    page.on("console", lambda m: found.append(m.text) if "Content Security Policy" in m.text else None)
    return found


async def test_logging_out_in_one_tab_sends_the_other_tab_to_the_login_page(alice, browser, unused_tcp_port):
    base_url = f"http://127.0.0.1:{unused_tcp_port}"
    with processes.daphne(unused_tcp_port):
        context = await browser.new_context()
        dashboard = await context.new_page()
        violations = csp_violations(dashboard)
        await log_in(dashboard, base_url)
        chat = await context.new_page()
        violations += csp_violations(chat)
        await chat.goto(f"{base_url}/chat/ops/")
        await expect(chat.locator("#connection")).to_have_attribute("data-state", "live")

        await dashboard.click("form[action='/accounts/logout/'] button")
        await expect(dashboard).to_have_url(re.compile(r"/accounts/login/"))
        # The chat tab was not touched: its sockets were closed by the server, and it went to log in.
        await expect(chat).to_have_url(f"{base_url}/accounts/login/?next=%2Fchat%2Fops%2F")
        await expect(chat.locator("h1")).to_have_text("Log in")
        assert violations == []


async def test_pages_and_admin_run_under_the_content_security_policy(alice, browser, unused_tcp_port):
    await get_user_model().objects.acreate_superuser("root", password=PASSWORD)
    base_url = f"http://127.0.0.1:{unused_tcp_port}"
    with processes.daphne(unused_tcp_port):
        page = await (await browser.new_context()).new_page()
        violations = csp_violations(page)
        errors = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        await log_in(page, base_url, username="root")
        for path in (
            "/",
            "/alerts/",
            "/chat/",
            "/chat/ops/",
            "/accounts/profile/",
            "/admin/",
            "/admin/monitor/host/add/",
        ):
            await page.goto(f"{base_url}{path}")
            await page.wait_for_load_state("networkidle")
        assert violations == []
        assert errors == []
