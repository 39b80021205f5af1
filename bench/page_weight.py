"""What a dashboard costs to send (`make bench-pages`). Not part of the test suite.

2,000 monitored hosts (BENCH_HOSTS); the dashboard page as sent plain and gzipped (the
server compresses what the browser accepts), and the static files it loads as stored
plain, gzip and Brotli by collectstatic.
"""

import json
import os
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.environment import prepare  # noqa: E402

prepare("pages")

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402

from bench.common import run_facts, save_results  # noqa: E402
from monitor.models import Host, Status, Tag  # noqa: E402

HOSTS = int(os.environ.get("BENCH_HOSTS", "2000"))
STATES = [Status.UP, Status.UP, Status.UP, Status.DEGRADED, Status.DOWN]


def fill() -> None:
    tags = [Tag.objects.create(name=f"rack-{i}") for i in range(20)]
    Host.objects.bulk_create(
        Host(name=f"host-{i:04}.dc1", address="127.0.0.1", status=STATES[i % 5], last_latency_ms=1.5 + i % 40)
        for i in range(HOSTS)
    )
    through = Host.tags.through
    ids = list(Host.objects.values_list("pk", flat=True))
    through.objects.bulk_create(through(host_id=pk, tag_id=tags[n % 20].pk) for n, pk in enumerate(ids))


def static_sizes(page: str) -> dict:
    """Plain, gzip and Brotli bytes of the static files `page` loads, modules' imports included."""
    root = Path(settings.STATIC_ROOT)
    names = set(re.findall(r'/static/([^"\']+\.(?:js|css))', page))
    seen, sizes = set(), {"files": 0, "plain": 0, "gzip": 0, "brotli": 0}
    while names:
        name = names.pop()
        if name in seen:
            continue
        seen.add(name)
        path = root / name
        sizes["files"] += 1
        sizes["plain"] += path.stat().st_size
        sizes["gzip"] += Path(f"{path}.gz").stat().st_size
        sizes["brotli"] += Path(f"{path}.br").stat().st_size
        if name.endswith(".js"):
            folder = os.path.dirname(name)
            names |= {
                os.path.normpath(os.path.join(folder, i)) for i in re.findall(r'from "(\./[^"]+)"', path.read_text())
            }
    return sizes


def main() -> None:
    call_command("migrate", verbosity=0)
    call_command("collectstatic", "--noinput", verbosity=0)
    fill()
    client = Client(HTTP_HOST="localhost")
    client.force_login(get_user_model().objects.create_user("bench", password="unused-password-1"))
    plain = client.get("/")
    gzipped = client.get("/", headers={"Accept-Encoding": "gzip"})
    assert gzipped["Content-Encoding"] == "gzip"
    results = {
        **run_facts(),
        "hosts": HOSTS,
        "dashboard_html_bytes": {"plain": len(plain.content), "gzip": len(gzipped.content)},
        "static_bytes": static_sizes(plain.content.decode()),
    }
    print(json.dumps(results, indent=1))
    save_results("pages", results)


if __name__ == "__main__":
    main()
