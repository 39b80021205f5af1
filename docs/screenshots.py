"""The documentation's screenshots (`make screenshots`): demo data on a throwaway database and
Redis prefix, one daphne, 12 agents' frames every second, Debian's Chromium.

Writes docs/images/: dashboard.png, dashboard-dark.png, dashboard-zh.png,
status-page-zh.png and history.png (a card's 24 h: web-01 replays a day of
this machine's recorded agent values, bench/data/recording.jsonl.gz), device.png
(a simulated 48-port switch, bench/snmp_farm.py) and map.png (snmpsim serving the
test suite's recorded Cisco and LLDP switches, linked to it).
"""

import asyncio
import json
import multiprocessing
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.environment import prepare  # noqa: E402

prepare("screenshots")

from channels.layers import get_channel_layer  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.contrib.auth.models import Group  # noqa: E402
from django.core.management import call_command  # noqa: E402
from playwright.sync_api import sync_playwright  # noqa: E402

from accounts import roles  # noqa: E402
from alerts.evaluator import Evaluator  # noqa: E402
from alerts.models import AlertRule  # noqa: E402
from bench import recording, snmp_farm  # noqa: E402
from bench.common import free_port, session_cookie  # noqa: E402
from bench.frames import agent_frame  # noqa: E402
from bench.history import fill  # noqa: E402
from chat.models import ChatMessage, ChatRoom  # noqa: E402
from chat.rooms import DASHBOARD_ROOM  # noqa: E402
from core.contracts.groups import STATS_FRAME, STATS_GROUP  # noqa: E402
from core.contracts.metrics import AGENT_ALERT_METRICS  # noqa: E402
from core.redis_io.redis_clients import sync_redis  # noqa: E402
from monitor.checks import execute  # noqa: E402
from monitor.models import Check, Host, Status, Tag  # noqa: E402
from monitor.results import Finished, save_results  # noqa: E402
from stats.history import rollup  # noqa: E402
from stats.latest import latest_key  # noqa: E402
from stats.models import Agent  # noqa: E402
from status.models import StatusPage  # noqa: E402
from tests import processes  # noqa: E402
from tests.browser import CHROMIUM, CHROMIUM_ARGS  # noqa: E402
from tests.monitor.snmp_agents import snmpsim  # noqa: E402

IMAGES = Path(__file__).resolve().parent / "images"
AGENTS = ["web-01", "web-02", "web-03", "db-01", "db-02", "cache-01", "edge-01", "edge-02", "build-01", "mail-01",
          "backup-01", "vpn-01"]  # fmt: skip
HOSTS = {
    "web": ["web-01", "web-02", "web-03", "web-04", "lb-01", "lb-02"],
    "db": ["db-01", "db-02", "db-03", "redis-01"],
    "edge": ["edge-01", "edge-02", "dns-01", "dns-02", "ntp-01"],
    "office": ["mail-01", "vpn-01", "printer-2f", "wifi-ap-3f", "backup-01"],
}
STATES = {"db-03": Status.DOWN, "printer-2f": Status.DEGRADED, "wifi-ap-3f": Status.PAUSED, "dns-02": Status.DEGRADED}


def demo() -> str:
    """The demo's hosts, an alert, a chat and a status page; returns the admin's session cookie."""
    admin = get_user_model().objects.create_user("admin", password="unused-demo-password", is_staff=True)
    admin.groups.add(Group.objects.get(name=roles.ADMIN))
    for n, (tag_name, names) in enumerate(HOSTS.items()):
        tag = Tag.objects.create(name=tag_name)
        for i, name in enumerate(names):
            host = Host.objects.create(name=name, address=f"127.0.{n}.{i + 1}")
            host.tags.add(tag)
            Host.objects.filter(pk=host.pk).update(status=STATES.get(name, Status.UP), last_latency_ms=0.4 + i * 1.7)
    rule = AlertRule.objects.create(
        name="CPU high", metric="cpu_percent", comparison=">", threshold=90, severity="critical"
    )
    rule.recipients.add(admin)
    Evaluator(AGENT_ALERT_METRICS).evaluate_and_record({"agent:build-01": ("build-01", {"cpu_percent": 97.0})})
    room = ChatRoom.objects.create(name=DASHBOARD_ROOM)
    for text in (
        "db-03 is down: disk full, I'm on it",
        "build-01 at 97 % CPU: nightly build, expected",
        "值班交接：一切正常",
    ):
        ChatMessage.objects.create(room=room, author=admin, text=text)
    page = StatusPage.objects.create(slug="shop", title="Shop status", public=True, hosts_heading="Web")
    page.hosts.set(Host.objects.filter(name__in=HOSTS["web"]))
    page.tags.set(Tag.objects.filter(name="db"))
    now = int(time.time())
    Agent.objects.create(name="web-01")
    fill(recording.load(), ["web-01"], now - 86_400, now)
    rollup.roll_up(now)
    return session_cookie(admin)


class Frames(threading.Thread):
    """Each agent's frame every second, build-01 running hot."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.stop = threading.Event()

    def run(self) -> None:
        asyncio.run(self.send())

    async def send(self) -> None:
        layer = get_channel_layer()
        while not self.stop.is_set():
            now = time.time()
            for name in AGENTS:
                frame = agent_frame(name, now, 97.0 if name == "build-01" else None)
                sync_redis().hset(latest_key(), name, json.dumps(frame))
                await layer.group_send(STATS_GROUP, {"type": STATS_FRAME, "text": json.dumps(frame)})
            await asyncio.sleep(1)


def shoot(browser, url: str, cookie: str, out: str, scheme: str = "light", locale: str = "en-GB", path: str = "/"):
    name, value = cookie.split("=", 1)
    context = browser.new_context(viewport={"width": 1600, "height": 1000}, color_scheme=scheme, locale=locale,
                                  timezone_id="Asia/Shanghai")  # fmt: skip
    context.add_cookies([{"name": name, "value": value, "url": url}])
    page = context.new_page()
    page.goto(f"{url}{path}")
    if path == "/":
        page.locator('.agent-tile[data-host="web-01"] .agent-open').click()
        page.locator('.card[data-host="web-01"] .chart[data-chart="cpu"][data-points="20"]').wait_for(timeout=40_000)
        page.locator("#alert-bell").click()
    page.wait_for_timeout(500)  # the last frame drawn
    page.screenshot(path=str(IMAGES / out))
    context.close()
    print("written", out)


def poll_devices(farm_port: int, cisco: tuple[int, str], lldp: tuple[int, str], rounds: int = 4) -> int:
    """Three switches polled a few times: the farm's (moving counters) is named as the Cisco's CDP
    neighbour, the LLDP switch's neighbour is named as the Cisco. Returns the farm switch's host id."""
    devices = [("C2960X.uac.local", farm_port, "dev-7"), ("core-sw.example", *cisco), ("access-sw-2", *lldp)]
    checks = []
    for name, port, community in devices:
        host = Host.objects.create(name=name, address="127.0.0.1")
        host.tags.add(Tag.objects.get_or_create(name="network")[0])
        checks.append(Check.objects.create(host=host, kind="snmp", port=port, community=community, interval_s=60))
    for _ in range(rounds):
        started = time.time()
        specs = [check.spec(started) for check in Check.objects.filter(kind="snmp").select_related("host")]
        save_results([Finished(spec, asyncio.run(execute(spec)), started) for spec in specs])
        time.sleep(1.5)
    return checks[0].host_id


def shoot_device(browser, url: str, cookie: str, host_id: int) -> None:
    name, value = cookie.split("=", 1)
    context = browser.new_context(viewport={"width": 1600, "height": 1300}, timezone_id="Asia/Shanghai")
    context.add_cookies([{"name": name, "value": value, "url": url}])
    page = context.new_page()
    page.goto(f"{url}/hosts/{host_id}/")
    page.click('#range [data-range="1h"]')
    page.locator('#port-chart:not([data-points="0"])').wait_for(timeout=20_000)
    page.wait_for_timeout(500)
    page.screenshot(path=str(IMAGES / "device.png"), full_page=True)
    page.goto(f"{url}/map/")
    page.locator('#network-map:not([data-edges="0"])').wait_for(timeout=20_000)
    page.wait_for_timeout(1000)  # the layout settles
    page.screenshot(path=str(IMAGES / "map.png"))
    context.close()
    print("written device.png, map.png")


def shoot_history(browser, url: str, cookie: str, out: str) -> None:
    """web-01's card over 24 h: each chart's averages with their min-max band."""
    name, value = cookie.split("=", 1)
    context = browser.new_context(viewport={"width": 1600, "height": 1000}, timezone_id="Asia/Shanghai")
    context.add_cookies([{"name": name, "value": value, "url": url}])
    page = context.new_page()
    page.goto(url)
    page.locator('.agent-tile[data-host="web-01"] .agent-open').click()
    page.click('#range [data-range="24h"]')
    card = page.locator('.card[data-host="web-01"]')
    card.locator('.chart[data-chart="cpu"][data-band="min-max"]').wait_for(timeout=40_000)
    page.wait_for_timeout(500)
    card.screenshot(path=str(IMAGES / out))
    context.close()
    print("written", out)


def main() -> None:
    call_command("migrate", verbosity=0)
    call_command("collectstatic", "--noinput", verbosity=0)
    cookie = demo()
    farm_port, ready, stop = free_port(), multiprocessing.Event(), multiprocessing.Event()
    farm = multiprocessing.Process(target=snmp_farm.serve, args=(farm_port, 10, ready, stop), daemon=True)
    farm.start()
    ready.wait(30)
    with snmpsim() as cisco, snmpsim("lldp-switch") as lldp:
        device = poll_devices(farm_port, cisco, lldp)
    stop.set()
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    frames = Frames()
    with processes.daphne(port), sync_playwright() as playwright:
        frames.start()
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        shoot(browser, url, cookie, "dashboard.png")
        shoot(browser, url, cookie, "dashboard-dark.png", scheme="dark")
        shoot(browser, url, cookie, "dashboard-zh.png", locale="zh-CN")
        shoot(browser, url, cookie, "status-page-zh.png", locale="zh-CN", path="/status/shop/")
        shoot_history(browser, url, cookie, "history.png")
        shoot_device(browser, url, cookie, device)
        browser.close()
        frames.stop.set()


if __name__ == "__main__":
    main()
