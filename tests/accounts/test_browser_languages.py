"""Simplified Chinese in Chromium: every page a Chinese browser opens shows no English left
untranslated (server-rendered and script-rendered text alike), the switch changes language and
remembers it, and axe-core finds no serious or critical violation in either language or theme."""

import re

import pytest
from channels.db import database_sync_to_async
from playwright.async_api import expect

from chat.models import ChatRoom
from monitor.models import Check, Host, Tag
from status.models import StatusPage
from tests import processes
from tests.browser import log_in
from tests.dashboard.test_browser_theme import AXE, agent_reports_now, fill_pages

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("no_latest_frames")]

# Words that stay as they are in Chinese text: the product's name, units, protocols, formats.
KEPT = {
    "NetWorkMonitor", "English", "CPU", "TCP", "MTU", "ICMP", "CSV", "API", "HTTP", "https", "ping",
    "Apprise", "Prometheus", "Redis", "README", "YYYY", "MM", "DD", "ms", "bit", "kbit", "Mbit", "Gbit",
    "KiB", "MiB", "GiB", "TiB", "CST", "GMT", "UTC", "tcp", "AGENT_OFFLINE_AFTER", "TOTP",
}  # fmt: skip
# Names the test data gives things (hosts, tags, rules, users, agents, interfaces, rooms).
DATA = {"web", "cache", "db", "new", "old", "theme", "agent", "cpu", "high", "alice", "prod", "eth", "ifb", "lo", "ops"}
WORD = re.compile(r"[A-Za-z][A-Za-z'’]+")

# Every text node and every text attribute, except code, scripts and what says translate="no".
PAGE_TEXTS = """() => {
    const texts = [document.title];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    while (walker.nextNode()) {
        const parent = walker.currentNode.parentElement;
        if (parent.closest("script, style, code, [translate=no]")) continue;
        texts.push(walker.currentNode.textContent);
    }
    for (const element of document.body.querySelectorAll("[placeholder], [aria-label], [title], [alt]")) {
        if (element.closest("[translate=no]")) continue;
        for (const name of ["placeholder", "aria-label", "title", "alt"]) texts.push(element.getAttribute(name) ?? "");
    }
    return texts;
}"""


def chinese_pages(user) -> list[str]:
    """fill_pages, a check, a tag and a room, with a Chinese heading on the status page."""
    host_id = fill_pages(user)
    host = Host.objects.get(pk=host_id)
    host.tags.add(Tag.objects.create(name="prod"))
    Check.objects.create(host=host, kind="tcp", port=22)
    ChatRoom.objects.create(name="ops")
    page = StatusPage.objects.get(slug="theme")
    page.title, page.hosts_heading = "状态", "服务"
    page.save()
    return [
        "/",
        f"/hosts/{host_id}/",
        "/alerts/",
        "/chat/",
        "/chat/ops/",
        "/accounts/profile/",
        "/reports/uptime/",
        "/status/theme/",
    ]


def untranslated(texts: list[str]) -> set[str]:
    return {word for text in texts for word in WORD.findall(text) if word not in KEPT | DATA}


async def test_a_chinese_browser_sees_every_page_in_chinese(alice, browser, unused_tcp_port):
    paths = await database_sync_to_async(chinese_pages)(alice)
    base_url = f"http://127.0.0.1:{unused_tcp_port}"
    with processes.daphne(unused_tcp_port):
        context = await browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai")
        page = await context.new_page()
        errors = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        await page.goto(f"{base_url}/accounts/login/")
        assert untranslated(await page.evaluate(PAGE_TEXTS)) == set()
        await log_in(page, base_url)
        found = {}
        for path in paths:
            if path == "/":  # what the set-up wrote may be older than the freshness limit on a busy machine
                await database_sync_to_async(agent_reports_now)()
            await page.goto(f"{base_url}{path}")
            await expect(page.locator("html")).to_have_attribute("lang", "zh-Hans")
            await page.wait_for_load_state("networkidle")
            if path == "/":  # script-rendered text in place: tiles, agent card, connection state
                await expect(page.locator("#connection")).to_have_text("实时")
                await expect(page.locator('#hosts .tile[data-status="degraded"] small')).to_have_text("降级 · 12.5 ms")
                await expect(page.locator('.agent-tile[data-host="theme-agent"] .freshness')).to_have_text("实时")
                await expect(page.locator("#range button").first).to_have_text("实时")
                await page.click("#alert-bell")
                await expect(page.locator("#alert-list .ack")).to_have_text("确认")
            found[path] = untranslated(await page.evaluate(PAGE_TEXTS))
        await context.close()
    assert found == {path: set() for path in paths}
    assert errors == []


async def test_the_switch_changes_the_language_and_the_account_keeps_it(alice, browser, unused_tcp_port):
    await database_sync_to_async(fill_pages)(alice)
    base_url = f"http://127.0.0.1:{unused_tcp_port}"
    with processes.daphne(unused_tcp_port):
        context = await browser.new_context(locale="en-GB")
        page = await context.new_page()
        await log_in(page, base_url)
        await page.goto(f"{base_url}/alerts/")
        await expect(page.locator("h1")).to_have_text("Alerts")
        await page.click("button[name=language][value=zh-hans]")
        await expect(page).to_have_url(f"{base_url}/alerts/")
        await expect(page.locator("h1")).to_have_text("告警")
        await expect(page.locator("#alert-events td").nth(1)).to_have_text("触发")
        await context.close()

        # Another browser, English by its header: the account's choice wins.
        context = await browser.new_context(locale="en-GB")
        page = await context.new_page()
        await page.goto(f"{base_url}/accounts/login/")
        await expect(page.locator("h1")).to_have_text("Log in")  # not signed in yet: the browser's language
        await log_in(page, base_url)
        await expect(page.locator("#hosts h2").first).to_have_text("受监控主机")
        await context.close()


async def serious_violations(page) -> list:
    await page.add_script_tag(path=str(AXE))
    result = await page.evaluate("axe.run(document)")
    assert result["passes"], "axe checked nothing"
    return [
        (violation["id"], node["target"])
        for violation in result["violations"]
        if violation["impact"] in ("serious", "critical")
        for node in violation["nodes"]
    ]


@pytest.mark.parametrize("locale", ["en-GB", "zh-CN"])
@pytest.mark.parametrize("scheme", ["light", "dark"])
async def test_axe_finds_nothing_serious_in_either_language_or_theme(alice, browser, unused_tcp_port, scheme, locale):
    paths = await database_sync_to_async(chinese_pages)(alice)
    base_url = f"http://127.0.0.1:{unused_tcp_port}"
    with processes.daphne(unused_tcp_port):
        # axe is injected as a file: bypass the page's Content-Security-Policy for it alone.
        context = await browser.new_context(
            locale=locale, color_scheme=scheme, bypass_csp=True, viewport={"width": 1280, "height": 900}
        )
        page = await context.new_page()
        await log_in(page, base_url)
        found = {}
        for path in [*paths, "/accounts/login/"]:
            if path == "/accounts/login/":
                await context.clear_cookies()
            await page.goto(f"{base_url}{path}")
            await expect(page.locator("html")).to_have_attribute("data-theme", scheme)
            await page.wait_for_load_state("networkidle")
            found[path] = await serious_violations(page)
        await context.close()
    assert found == {path: [] for path in found}
