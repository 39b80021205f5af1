"""Probe results in history and the uptime ledger: one slot per check, in its state voted across its sites."""

import math

import pytest

from monitor.models import Check, CheckResult, Host, Site
from netmon_probe.checks.core import Outcome
from probes import recording
from probes.entries import SiteRun
from stats.history import query
from stats.history.metrics import check_source
from status.models import UptimeHour
from tests.probes.conftest import make_probe

HOUR = 1_764_000_000 // 3600 * 3600


@pytest.fixture
def two_sites(db):
    sites = [Site.objects.create(name=f"office-{n}") for n in (1, 2)]
    host = Host.objects.create(name="shared", address="127.0.0.1")
    # DOWN as soon as one site finds it down: a site's result can turn a slot's vote over.
    check = Check.objects.create(host=host, kind="tcp", port=22, interval_s=60, quorum=1)
    check.sites.set(sites)
    return check, [make_probe(site)[0] for site in sites]


def run(check: Check, slot: float, latency_ms: float | None = None, error: str = "") -> SiteRun:
    return SiteRun(check.pk, HOUR + slot, HOUR + slot + 0.1, Outcome(latency_ms=latency_ms, error=error), None)


def save(probe, runs: list[SiteRun], first_id: int) -> int:
    return recording.save(probe.name, [(f"{first_id + n}-0", entry) for n, entry in enumerate(runs)])[0]


def hour_tally(check: Check) -> tuple:
    row = UptimeHour.objects.get(host_check=check)
    return row.up_s, row.down_s, row.latency_ms_sum, row.latency_count


def up_series(check: Check) -> list[float]:
    body = query.read([check_source(check.pk)], ["check.up"], HOUR, HOUR + 240, 240, HOUR + 240)
    [series] = body["series"]
    return [value for value in series["avg"] if not math.isnan(value)]


def test_a_slot_is_counted_once_in_the_state_its_sites_vote(two_sites):
    check, (first, second) = two_sites
    save(first, [run(check, 60, 10.0), run(check, 120, 10.0), run(check, 180, 30.0)], 1)
    assert hour_tally(check) == (180, 0, 50.0, 3)  # the other site not heard yet: its vote is unknown

    save(second, [run(check, 60, 20.0), run(check, 120, error="connection refused")], 1)

    # 120 turned DOWN: its UP is withdrawn; 60 was UP and stays so (median latency still 10 ms).
    assert hour_tally(check) == (120, 60, 50.0, 3)
    assert up_series(check) == [1.0, 0.0, 1.0]
    assert CheckResult.objects.filter(host_check=check).count() == 5  # each site's own result is kept


def test_a_slot_no_site_can_decide_yet_is_not_counted(two_sites):
    check, (first, second) = two_sites
    Check.objects.filter(pk=check.pk).update(quorum=2)
    check.refresh_from_db()
    save(first, [run(check, 60, error="timed out")], 1)
    assert not UptimeHour.objects.exists()  # one DOWN of two needed: UNKNOWN, unknown time

    save(second, [run(check, 60, error="timed out")], 1)

    assert hour_tally(check) == (0, 60, 0.0, 0)


def test_a_result_a_probe_sends_twice_changes_nothing(two_sites):
    check, (first, _) = two_sites
    assert save(first, [run(check, 60, 10.0)], 1) == 1
    # Sent again under a new stream id (the probe stopped before its buffer forgot it).
    assert save(first, [run(check, 60, 99.0)], 2) == 0
    assert hour_tally(check) == (60, 0, 10.0, 1)
