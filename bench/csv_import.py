"""A 20,000-row CSV import through admin, and what other users see meanwhile (`make bench-csv`).
Not part of the test suite.

One daphne process and one general Celery worker on a fresh database. An administrator
uploads BENCH_CSV_ROWS rows (each a host with a ping and a TCP check, two tags) at
/admin/monitor/host/import/ and follows the import's progress page until its report
shows; meanwhile another user's browser asks for the dashboard's host grid
(/hosts/grid.json) every WATCH_EVERY_S seconds. Recorded: the upload request's seconds,
the seconds until the report, the grid's response times meanwhile, and then the
dashboard page's bytes and time with every host imported.
"""

import json
import logging
import os
import re
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.environment import prepare  # noqa: E402

prepare("csv-import")

import httpx  # noqa: E402
from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402

from bench.common import free_port, run_facts, save_results, session_cookie, summary_ms  # noqa: E402
from monitor.models import Check, Host  # noqa: E402
from tests import processes  # noqa: E402

logging.getLogger("httpx").setLevel(logging.WARNING)  # a line per request would bury the results
ROWS = int(os.environ.get("BENCH_CSV_ROWS", "20000"))
WATCH_EVERY_S = 0.25
PROGRESS_EVERY_S = 0.5
GIVE_UP_AFTER_S = 600


def csv_text(rows: int) -> str:
    lines = ["name,address,tags,enabled,interval,checks"]
    lines += [f"host-{i:05d}.dc1,10.{i // 65536}.{i // 256 % 256}.{i % 256},dc1 rack-{i % 40},yes,60,ping tcp:22"
              for i in range(rows)]  # fmt: skip
    return "\n".join(lines) + "\n"


def client(base: str, cookie: str) -> httpx.Client:
    name, value = cookie.split("=", 1)
    return httpx.Client(base_url=base, cookies={name: value}, timeout=600)


def upload(admin: httpx.Client, text: str) -> tuple[float, float, str]:
    """Upload through the admin form as a browser does, then follow the import's progress page
    until its report shows; (seconds of the upload request, seconds until the report, the report)."""
    form = admin.get("/admin/monitor/host/import/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text)[1]
    began = time.perf_counter()
    response = admin.post(
        "/admin/monitor/host/import/",
        data={"csrfmiddlewaretoken": token},
        files={"file": ("hosts.csv", text.encode(), "text/csv")},
    )
    request_seconds = time.perf_counter() - began
    progress_url = response.headers["location"]
    while not (report := re.search(r"\d+ hosts created[^<]*", admin.get(progress_url).text)):
        if time.perf_counter() - began > GIVE_UP_AFTER_S:
            raise TimeoutError(f"no report within {GIVE_UP_AFTER_S} s at {progress_url}")
        time.sleep(PROGRESS_EVERY_S)  # as the progress page refreshes itself
    return request_seconds, time.perf_counter() - began, report[0]


def watch(watcher: httpx.Client, stop: threading.Event, seconds: list[float]) -> None:
    while not stop.is_set():
        began = time.perf_counter()
        watcher.get("/hosts/grid.json").raise_for_status()
        seconds.append(time.perf_counter() - began)
        stop.wait(WATCH_EVERY_S)


def main() -> None:
    call_command("migrate", verbosity=0)
    users = get_user_model().objects
    admin_cookie = session_cookie(users.create_superuser("importer", password="unused-password-1"))
    watcher_cookie = session_cookie(users.create_user("watcher", password="unused-password-2"))
    text = csv_text(ROWS)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    worker = processes.tasks_worker(processes.agent_name("csv-import"))
    with processes.daphne(port), worker, client(base, admin_cookie) as admin, client(base, watcher_cookie) as watcher:
        watcher.get("/hosts/grid.json").raise_for_status()  # warmed up, as a dashboard already open
        stop, during = threading.Event(), []
        watching = threading.Thread(target=watch, args=(watcher, stop, during))
        watching.start()
        request_seconds, seconds, message = upload(admin, text)
        stop.set()
        watching.join()
        began = time.perf_counter()
        page = watcher.get("/")
        page_seconds = time.perf_counter() - began
    results = {
        **run_facts(),
        "database": settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1],
        "rows": ROWS,
        "csv_bytes": len(text.encode()),
        "upload_request_seconds": round(request_seconds, 2),
        "import_seconds": round(seconds, 1),
        "import_message": message,
        "hosts": Host.objects.count(),
        "checks": Check.objects.count(),
        "other_user_grid_ms_during_import": summary_ms(during),
        "dashboard_after": {"bytes": len(page.content), "ms": round(page_seconds * 1000, 1)},
    }
    print(json.dumps(results, indent=1))
    save_results("csv-import", results)


if __name__ == "__main__":
    main()
