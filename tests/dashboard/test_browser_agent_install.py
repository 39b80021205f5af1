"""An agent added on the Agents page and installed as the page says, in a fresh virtualenv:
the wheel downloaded from this server, the credentials in an environment file, the unit's
command; its tile goes live on the dashboard. On a Redis of the test's own (agents get ACL users)."""

import shlex
import subprocess

import pytest
from channels.db import database_sync_to_async
from playwright.async_api import expect

from accounts import roles
from tests import processes
from tests.browser import log_in
from tests.roles import user_with_role
from tests.servers import free_port, private_redis

pytestmark = pytest.mark.browser


def follow_install_steps(steps: str, wheel_dir, venv) -> None:
    """The page's first two steps (make the virtualenv, install the wheel) with our paths."""
    for line in steps.splitlines()[:2]:
        command = shlex.split(line.replace("/opt/netmon-agent", str(venv)))
        subprocess.run(command, cwd=wheel_dir, check=True, capture_output=True, timeout=300)


def environment_of(text: str) -> dict[str, str]:
    return dict(line.split("=", 1) for line in text.splitlines() if "=" in line)


async def test_add_an_agent_and_follow_the_shown_install_until_its_tile_is_live(transactional_db, browser, tmp_path):
    await database_sync_to_async(user_with_role)("ops", roles.ADMIN)
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    with private_redis() as redis, processes.serve(port, 1, REDIS_URL=redis.url), processes.ingest(REDIS_URL=redis.url):
        context = await browser.new_context(accept_downloads=True)
        page = await context.new_page()
        errors = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        await log_in(page, base_url, username="ops")
        await page.get_by_role("link", name="Agents").click()
        await page.get_by_label("Name").fill("edge-7")
        await page.get_by_role("button", name="Add agent").click()
        await expect(page.locator("h1")).to_have_text("Install agent “edge-7”")

        async with page.expect_download() as downloading:
            await page.locator("#agent-wheel-link").click()
        download = await downloading.value
        wheel = tmp_path / download.suggested_filename
        await download.save_as(wheel)
        steps = await page.locator("#agent-install").text_content()
        environment = await page.locator("#agent-environment").text_content()
        unit = await page.locator("#agent-unit").text_content()
        assert environment_of(environment)["REDIS_URL"] not in steps + unit  # never on a command line

        venv = tmp_path / "venv"
        await database_sync_to_async(follow_install_steps)(steps, tmp_path, venv)
        found = subprocess.run([str(venv / "bin" / "python"), "-c", "import django"], capture_output=True)
        assert found.returncode != 0  # nothing of the server came along
        [start] = [line.split("=", 1)[1] for line in unit.splitlines() if line.startswith("ExecStart=")]
        command = shlex.split(start.replace("/opt/netmon-agent", str(venv)))
        dashboard = await context.new_page()
        await dashboard.goto(f"{base_url}/")
        with processes.running(command, processes.logged("sampling every"), **environment_of(environment)):
            tile = dashboard.locator('.agent-tile[data-host="edge-7"]')
            await expect(tile).to_have_attribute("data-state", "live")
            await page.goto(f"{base_url}/agents/")
            await expect(page.locator('#agents tr[data-agent="edge-7"] .status')).to_have_text("live")
        await context.close()
    assert errors == []
