"""The profile page: each user's own notification targets and API tokens, without admin rights."""

import http.server
import json
import threading
from contextlib import contextmanager
from datetime import UTC, datetime

import pytest
from django.test import Client

from accounts import roles
from alerts.models import Alert, AlertEvent, AlertRule, NotificationTarget
from api.models import ApiToken
from tests.roles import user_with_role


@contextmanager
def webhook():
    """A loopback HTTP server that keeps the JSON bodies posted to it."""
    received = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self):
            received.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    try:
        yield server.server_address[1], received
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def viewer_client(db):
    user = user_with_role("vera", roles.VIEWER)
    client = Client(HTTP_HOST="localhost")
    client.force_login(user)
    return user, client


def test_a_viewer_adds_tests_and_deletes_a_notification_target(viewer_client):
    user, client = viewer_client
    with webhook() as (port, received):
        url = f"json://hookuser:hookpass@127.0.0.1:{port}/"
        assert client.post("/accounts/profile/targets/", {"url": url, "label": "my hook"}).status_code == 302
        target = NotificationTarget.objects.get(user=user)
        assert target.url == url
        page = client.get("/accounts/profile/").content.decode()
        assert "my hook" in page
        assert "hookpass" not in page  # written, never shown back
        response = client.post(f"/accounts/profile/targets/{target.pk}/test/", follow=True)
        assert "A test notification went to" in response.content.decode()
    assert [body["title"] for body in received] == ["NetWorkMonitor test"]
    assert client.post(f"/accounts/profile/targets/{target.pk}/delete/").status_code == 302
    assert not NotificationTarget.objects.exists()


def test_a_url_apprise_cannot_use_is_refused_with_a_message(viewer_client):
    _, client = viewer_client
    response = client.post("/accounts/profile/targets/", {"url": "nonsense://x", "label": ""})
    assert response.status_code == 400
    assert "Apprise does not understand this URL" in response.content.decode()


def test_a_token_is_shown_once_and_works_with_the_users_rights(viewer_client):
    user, client = viewer_client
    response = client.post("/accounts/profile/tokens/", {"name": "grafana", "read_only": "on"})
    assert response.status_code == 200
    secret = response.context["secret"]
    assert not any(secret in morsel.value for morsel in response.cookies.values())
    assert secret not in client.get("/accounts/profile/").content.decode()
    token = ApiToken.objects.get(user=user)
    assert token.digest == ApiToken.hash(secret)
    api = Client(HTTP_HOST="localhost", HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert api.get("/api/hosts/").status_code == 200
    assert api.post("/api/hosts/", {"name": "x", "address": "127.0.0.1"}, "application/json").status_code == 403
    assert client.post(f"/accounts/profile/tokens/{token.pk}/delete/").status_code == 302
    assert api.get("/api/hosts/").status_code == 401


def test_nobody_reaches_another_users_targets_or_tokens(viewer_client):
    _, client = viewer_client
    other = user_with_role("otto", roles.OPERATOR)
    target = NotificationTarget.objects.create(user=other, url="json://127.0.0.1:9/")
    token = ApiToken(user=other, name="theirs")
    token.generate()
    token.save()
    for path in (
        f"/accounts/profile/targets/{target.pk}/test/",
        f"/accounts/profile/targets/{target.pk}/delete/",
        f"/accounts/profile/tokens/{token.pk}/delete/",
    ):
        assert client.post(path).status_code == 404
    assert NotificationTarget.objects.filter(pk=target.pk).exists()
    assert ApiToken.objects.filter(pk=token.pk).exists()
    assert "theirs" not in client.get("/accounts/profile/").content.decode()


def test_a_page_showing_a_new_token_is_never_compressed(viewer_client):
    """BREACH: a one-time secret must not share a compressed response with attacker-chosen text."""
    _, client = viewer_client
    response = client.post("/accounts/profile/tokens/", {"name": "grafana"}, headers={"Accept-Encoding": "gzip"})
    assert response.status_code == 200
    assert "Content-Encoding" not in response
    assert b"nwm_" in response.content


def test_pages_show_times_in_the_users_zone_else_the_browsers(viewer_client):
    user, client = viewer_client
    rule = AlertRule.objects.create(name="cpu", metric="cpu_percent", threshold=90)
    rule.recipients.add(user)
    alert = Alert.objects.create(rule=rule, subject="agent:web-1", subject_label="web-1", state="firing", value=95)
    AlertEvent.objects.create(
        alert=alert, kind="firing", value=95, message="cpu 95", created_at=datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
    )
    assert "2026-11-24 12:00:00 UTC" in client.get("/alerts/").content.decode()  # nothing known yet

    client.cookies["tz"] = "America/New_York"  # the browser's zone, kept by theme.js
    page = client.get("/alerts/").content.decode()
    assert "2026-11-24 07:00:00 EST" in page
    assert 'data-time-zone="America/New_York"' in page

    saved = client.post("/accounts/profile/preferences/", {"time_zone": "Asia/Shanghai"})  # chosen: it wins
    assert saved.status_code == 302
    assert "2026-11-24 20:00:00 CST" in client.get("/alerts/").content.decode()

    client.cookies["tz"] = "Not/AZone"
    refused = client.post("/accounts/profile/preferences/", {"time_zone": "Mars/Olympus"})
    assert refused.status_code == 400
    assert "Mars/Olympus is not one of the available choices" in refused.content.decode()
    assert "2026-11-24 20:00:00 CST" in client.get("/alerts/").content.decode()
