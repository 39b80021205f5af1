"""Check results counted into the hourly uptime ledger, in the results' transaction."""

import json
from datetime import timedelta

import pytest

from monitor.models import Check, MaintenanceWindow, Tag
from status import documents
from status.models import UptimeHour
from tests.status.conftest import run, utc

T0 = utc(2026, 11, 24, 10, 0, 30)


def test_each_result_counts_its_interval_in_its_hour(web_host):
    check = Check.objects.get()
    run(check, T0)
    run(check, T0 + timedelta(minutes=1), error="connection refused")
    run(check, T0 + timedelta(minutes=60))  # the next hour
    rows = {row.hour: row for row in UptimeHour.objects.all()}
    first = rows[utc(2026, 11, 24, 10)]
    assert (first.up_s, first.down_s, first.degraded_s, first.maintenance_s) == (60, 60, 0, 0)
    assert (first.latency_ms_sum, first.latency_count) == (12.0, 1)
    assert first.opened_at == T0
    assert rows[utc(2026, 11, 24, 11)].up_s == 60


def test_a_redelivered_result_is_counted_once(web_host):
    check = Check.objects.get()
    run(check, T0)
    run(check, T0)  # the same slot again (a redelivered batch)
    assert UptimeHour.objects.get().up_s == 60


def test_results_in_a_maintenance_window_count_as_maintenance(web_host):
    tag = Tag.objects.create(name="shop")
    web_host.tags.add(tag)
    MaintenanceWindow.objects.create(tag=tag, starts_at=T0, ends_at=T0 + timedelta(minutes=2), reason="upgrade")
    check = Check.objects.get()
    run(check, T0, error="down for the upgrade")
    run(check, T0 + timedelta(minutes=3), error="still down")
    row = UptimeHour.objects.get()
    assert (row.maintenance_s, row.down_s) == (60, 60)


def test_the_document_reads_uptime_from_the_ledger(public_page, web_host):
    check = Check.objects.get()
    for minute in range(30):
        run(check, T0 + timedelta(minutes=minute), error="refused" if minute < 3 else "")
    now = (T0 + timedelta(minutes=30)).timestamp()
    content = documents.build(public_page, now=now).text
    host = json.loads(content)["sections"][0]["hosts"][0]
    assert host["uptime"]["24h"] == pytest.approx(90.0)
    assert host["unknown"]["24h"] == pytest.approx(0.0, abs=0.2)
    assert (host["daily"][-1], host["levels"][-1]) == (90.0, "d")
    assert (host["daily"][0], host["levels"][0]) == (None, "n")  # before the first result
    assert len(host["daily"]) == len(host["levels"]) == documents.DAYS
