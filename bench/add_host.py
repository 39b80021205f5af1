"""From an empty dashboard to a live UP host, in Chromium (`make bench-add-host`). Not part of the test suite.

A fresh installation (SQLite, its own Redis prefix), one daphne, beat, a dispatcher and a
checks worker; a TCP listener and an HTTP server on loopback as the host's services. The
first administrator is made at /setup/ (timed apart). Then, BENCH_RUNS times (3), from the
empty dashboard: "Add host", name, address, a quick-add line `ping tcp:<port> http:<url>`,
"Add these checks", "Test now" (until the three results show), "Save", until the host's
tile says UP, without a reload. Every click and every character typed is counted; the
seconds are the machine's (Playwright types at once: a person's typing and reading come on top).
"""

import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.environment import prepare  # noqa: E402

# Playwright's sync API runs an event loop in this thread: Django would refuse the bench's own
# queries (emptying the hosts between runs), which never overlap the browser's.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
prepare("bench-add-host")

from django.core.management import call_command  # noqa: E402
from playwright.sync_api import expect, sync_playwright  # noqa: E402

from bench.common import free_port, run_facts, save_results  # noqa: E402
from monitor.models import Host  # noqa: E402
from tests import processes, targets  # noqa: E402
from tests.browser import CHROMIUM, CHROMIUM_ARGS, PASSWORD  # noqa: E402

RUNS = int(os.environ.get("BENCH_RUNS", "3"))
TIMEOUT_MS = 60_000


class Counted:
    """The page, with every click and typed character counted."""

    def __init__(self, page) -> None:
        self.page, self.clicks, self.typed = page, 0, 0

    def click(self, locator) -> None:
        self.clicks += 1
        locator.click()

    def type_into(self, locator, text: str) -> None:
        self.click(locator)
        self.typed += len(text)
        locator.fill(text)


def first_admin(page, base_url: str) -> float:
    started = time.perf_counter()
    page.goto(f"{base_url}/")
    page.fill("#id_username", "ops")
    page.fill("#id_password1", PASSWORD)
    page.fill("#id_password2", PASSWORD)
    page.click("main button[type=submit]")
    expect(page.locator("#connection")).to_have_attribute("data-state", "live", timeout=TIMEOUT_MS)
    return time.perf_counter() - started


def add_host(page, name: str, tcp_port: int, web: str) -> dict:
    """One run from the empty dashboard; returns its clicks, characters and seconds."""
    counted = Counted(page)
    started = time.perf_counter()
    counted.click(page.get_by_role("button", name="Add host"))
    dialog = page.get_by_role("dialog", name="Add host")
    counted.type_into(dialog.get_by_label("Name"), name)
    counted.type_into(dialog.get_by_label("Address"), "127.0.0.1")
    counted.type_into(dialog.get_by_label("Checks in the CSV syntax"), f"ping tcp:{tcp_port} http:{web}/ok")
    counted.click(dialog.get_by_role("button", name="Add these checks"))
    expect(dialog.locator(".check-row")).to_have_count(3, timeout=TIMEOUT_MS)
    counted.click(dialog.get_by_role("button", name="Test now"))
    expect(dialog.locator('.trial-results li[data-status="up"]')).to_have_count(3, timeout=TIMEOUT_MS)
    tested = time.perf_counter()
    counted.click(dialog.get_by_role("button", name="Save"))
    saved = time.perf_counter()
    tile = page.locator("#hosts .tile", has_text=name)
    expect(tile).to_have_attribute("data-status", "up", timeout=TIMEOUT_MS)
    up = time.perf_counter()
    return {"clicks": counted.clicks, "characters_typed": counted.typed, "seconds_to_test_results": tested - started,
            "seconds_save_to_up": up - saved, "seconds_total": up - started}  # fmt: skip


def main() -> None:
    call_command("migrate", verbosity=0)
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    listener = targets.Listener()
    runs, setup_s = [], 0.0
    with (
        tempfile.TemporaryDirectory() as schedule,
        targets.http_server() as web,
        processes.daphne(port),
        processes.checking(Path(schedule)),
        sync_playwright() as playwright,
    ):
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1440, "height": 900})
        setup_s = first_admin(page, base_url)
        for run in range(RUNS):
            Host.objects.all().delete()  # each run starts from an empty dashboard
            page.goto(f"{base_url}/")
            expect(page.locator("#connection")).to_have_attribute("data-state", "live", timeout=TIMEOUT_MS)
            runs.append(add_host(page, f"web-{run + 1}", listener.port, web))
            print(f"run {run + 1}: {runs[-1]}", flush=True)
        browser.close()
    listener.close()
    totals = sorted(r["seconds_total"] for r in runs)
    results = {**run_facts(), "runs": runs, "first_admin_s": setup_s, "median_total_s": totals[len(totals) // 2]}
    print(f"first administrator: {setup_s:.1f} s; median, empty dashboard to UP: {results['median_total_s']:.1f} s")
    save_results("add-host", results)


if __name__ == "__main__":
    main()
