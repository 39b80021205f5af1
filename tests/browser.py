"""Helpers for the browser tests: Debian's Chromium through Playwright, and logging in.

The `browser` fixture itself is in conftest.py.
"""

from playwright.async_api import expect

from tests.waits import EVENT_TIMEOUT_MS

# Every expect() waits this long for its condition: Playwright's own default (5 s) is too
# short for a toast or a chart on a machine under load. Actions and page waits already
# default to 30 s.
expect.set_options(timeout=EVENT_TIMEOUT_MS)

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]  # fmt: skip
PASSWORD = "correct horse battery"


async def launch(playwright):
    return await playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)


async def log_in(page, base_url: str, username: str = "alice", password: str = PASSWORD) -> None:
    await page.goto(f"{base_url}/")
    await expect(page).to_have_url(f"{base_url}/accounts/login/?next=/")
    await page.fill("#id_username", username)
    await page.fill("#id_password", password)
    await page.click("main button[type=submit]")
    await expect(page).to_have_url(f"{base_url}/")
