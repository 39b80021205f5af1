from datetime import UTC, datetime

import pytest

from core.contracts import signals
from monitor.checks.base import CheckSpec, Outcome
from monitor.models import Check, Host
from monitor.results import Finished, save_results
from status.models import StatusPage

# Things a status page must never show: an internal address, a check URL and its secret.
ADDRESS = "db-7.corp.example"
URL = "https://admin:hunter2@db-7.corp.example:8443/health?token=s3cret"
SECRETS = [ADDRESS, "hunter2", "s3cret", "8443", "corp.example"]


@pytest.fixture
def web_host(alice):  # a user exists: no first-run redirect
    host = Host.objects.create(name="Web shop", address=ADDRESS)
    Check.objects.create(host=host, kind="http", url=URL, interval_s=60)
    return host


@pytest.fixture
def public_page(web_host):
    page = StatusPage.objects.create(slug="shop", title="Shop status", public=True)
    page.hosts.add(web_host)
    return page


def run(check: Check, at: datetime, error: str = "", latency_ms: float | None = 12.0):
    """Record one run of `check` at `at` as the checks worker does: saved, then announced."""
    spec = CheckSpec(check.id, check.host_id, check.kind, check.host.address, 1.0, due=at.timestamp())
    outcome = Outcome(latency_ms=None if error else latency_ms, error=error)
    recorded = save_results([Finished(spec, outcome, at.timestamp())])
    signals.send_logged(signals.results_recorded, sender=Check, recorded=recorded)
    return recorded


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)
