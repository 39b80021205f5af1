"""Status pages in the REST API; CSV downloads of results, alert history, metric history and uptime."""

import csv
import io
import json
from datetime import timedelta

import pytest
from asgiref.sync import async_to_sync
from django.test import Client
from django.utils import timezone

from alerts.models import Alert, AlertEvent, AlertRule
from monitor.models import Check, Tag
from status.models import StatusPage
from tests.api.test_api import api, make_token
from tests.status.conftest import run

pytestmark = pytest.mark.django_db(transaction=True)


async def _streamed(response) -> str:
    return "".join([part.decode() async for part in response.streaming_content])


def rows_of(response) -> list[dict]:
    """A streamed download (an asynchronous iterator, as daphne reads it), parsed."""
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    return list(csv.DictReader(io.StringIO(async_to_sync(_streamed)(response))))


def test_the_admin_role_makes_a_status_page_and_a_viewer_only_reads_it(web_host):
    Tag.objects.create(name="payments")
    writer = api(make_token("ops-admin", staff=True, read_only=False))
    made = writer.post(
        "/api/status-pages/",
        {"slug": "shop", "title": "Shop", "public": True, "hosts": [web_host.id], "tags": ["payments"]},
        content_type="application/json",
    )
    assert made.status_code == 201, made.content
    body = made.json()
    assert (body["hosts"], body["tags"], body["url"]) == ([web_host.id], ["payments"], "/status/shop/")
    assert Client().get("/status/shop/").status_code == 200

    reader = api(make_token("viewer"))
    assert reader.get("/api/status-pages/").json()["results"][0]["slug"] == "shop"
    refused = reader.patch(f"/api/status-pages/{body['id']}/", {"public": False}, content_type="application/json")
    assert refused.status_code == 403


def test_an_operator_writes_an_incident_note_that_readers_see(public_page, alice):
    client = Client()
    client.force_login(alice)  # an operator
    made = client.post(
        "/api/status-notices/",
        {"page": public_page.id, "kind": "incident", "title": "Checkout slow", "message": "Investigating."},
        content_type="application/json",
    )
    assert made.status_code == 201, made.content
    notices = Client().get("/status/shop/status.json").json()["notices"]
    assert [(n["kind"], n["title"]) for n in notices] == [("incident", "Checkout slow")]
    bad = client.post(
        "/api/status-notices/",
        {"page": public_page.id, "title": "x", "starts_at": "2026-11-24T10:00:00Z", "ends_at": "2026-11-24T09:00:00Z"},
        content_type="application/json",
    )
    assert bad.status_code == 400
    assert bad.json() == {"ends_at": ["A notice must end after it starts."]}


def test_a_page_with_a_bad_slug_or_zone_is_refused_with_reasons(web_host):
    writer = api(make_token("ops-admin", staff=True, read_only=False))
    response = writer.post(
        "/api/status-pages/",
        {"slug": "a b", "title": "x", "time_zone": "Mars/Olympus"},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert set(response.json()) == {"slug", "time_zone"}
    assert not StatusPage.objects.exists()


def test_check_results_download_as_csv_oldest_first(web_host):
    check = Check.objects.get()
    start = timezone.now() - timedelta(minutes=10)
    for minute in range(5):
        run(check, start + timedelta(minutes=minute), error="refused" if minute == 2 else "")
    reader = api(make_token("viewer"))
    rows = rows_of(reader.get(f"/api/results/?host={web_host.id}&format=csv"))
    assert [r["status"] for r in rows] == ["up", "up", "down", "up", "up"]
    assert rows[2]["error"] == "refused"
    assert rows[0]["host"] == "Web shop"
    assert rows[0]["kind"] == "http"
    assert rows[0]["started_at"] == start.isoformat()
    refused = reader.get("/api/results/?host=abc&format=csv")
    assert refused.status_code == 400
    assert b"host" in refused.content


def test_results_also_download_as_json_lines(web_host):
    check = Check.objects.get()
    run(check, timezone.now() - timedelta(minutes=1), latency_ms=7.5)
    response = api(make_token("viewer")).get(f"/api/results/?host={web_host.id}&format=jsonl")
    assert response["Content-Type"] == "application/jsonl; charset=utf-8"
    (line,) = async_to_sync(_streamed)(response).splitlines()
    row = json.loads(line)
    assert (row["host"], row["status"], row["latency_ms"]) == ("Web shop", "up", 7.5)


def test_alert_history_downloads_only_what_the_user_may_see(web_host, alice):
    rule = AlertRule.objects.create(name="shop down", metric="check_down", threshold=1)
    alert = Alert.objects.create(rule=rule, subject=f"host:{web_host.id}", subject_label="Web shop")
    AlertEvent.objects.create(alert=alert, kind="firing", value=1, message="Web shop is DOWN")
    admin = api(make_token("ops-admin", staff=True))
    assert [r["message"] for r in rows_of(admin.get("/api/alert-events/?format=csv"))] == ["Web shop is DOWN"]
    viewer = api(make_token("viewer"))  # not a recipient of the rule
    assert rows_of(viewer.get("/api/alert-events/?format=csv")) == []


def test_metric_history_downloads_as_rows(web_host):
    check = Check.objects.get()
    now = timezone.now()
    run(check, now - timedelta(seconds=30), latency_ms=42.0)
    since = int((now - timedelta(minutes=5)).timestamp())
    response = api(make_token("viewer")).get(
        f"/api/hosts/{web_host.id}/series?metric=check.latency_ms&from={since}&format=csv"
    )
    rows = rows_of(response)
    assert len(rows) == 1
    assert rows[0]["metric"] == "check.latency_ms"
    assert float(rows[0]["avg"]) == 42.0
    assert rows[0]["source"].startswith("http")


def test_the_uptime_report_per_day_as_a_page_and_csv(web_host, alice):
    check = Check.objects.get()
    today = timezone.now().replace(hour=0, minute=30, second=0, microsecond=0)
    for minute in range(10):
        run(check, today + timedelta(minutes=minute), error="refused" if minute < 1 else "")
    client = Client()
    client.force_login(alice)
    page = client.get("/reports/uptime/?grain=day&tz=UTC")
    assert page.status_code == 200
    assert "90.000%" in page.content.decode()
    rows = rows_of(client.get("/reports/uptime/?grain=day&tz=UTC&format=csv"))
    assert rows[-1]["host"] == "Web shop"
    assert rows[-1]["period"] == today.date().isoformat()
    assert float(rows[-1]["uptime_pct"]) == 90.0
    assert float(rows[-1]["down_minutes"]) == 1.0
    assert rows[0]["uptime_pct"] == ""  # before the first result: unknown, not 100%
    bad = client.get("/reports/uptime/?grain=year&from=2026-13-01")
    assert bad.status_code == 400
    assert "YYYY-MM-DD" in bad.content.decode()
    assert Client().get("/reports/uptime/").status_code == 302  # signed-in users only
