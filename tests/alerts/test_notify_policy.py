"""Notification targets pass the destination policy at every connect, with capped timeouts.

Real Apprise sends to real servers on loopback. A denied address here is 127.0.0.3,
denied through CHECK_DENY_NETWORKS: no packet goes anywhere a test may not send.
"""

import http.server
import threading
import time
from contextlib import contextmanager

import pytest
from django.test import Client

from accounts import roles
from alerts import tasks
from alerts.evaluator import Evaluator
from alerts.models import Notification, NotificationTarget
from core.contracts.metrics import AGENT_ALERT_METRICS
from tests import targets
from tests.alerts.test_alerts import fire, make_rule
from tests.roles import user_with_role

DENIED = "127.0.0.3"


@pytest.fixture
def viewer(transactional_db):
    return user_with_role("vera", roles.VIEWER)


@pytest.fixture
def admin(transactional_db):
    return user_with_role("ada", roles.ADMIN)


@pytest.fixture
def denied_loopback(settings):
    settings.CHECK_DENY_NETWORKS = [f"{DENIED}/32"]


def send_once(user, url: str) -> Notification:
    """One notification to `url` (saved as is, as an older row would be), sent by the task in this process."""
    NotificationTarget.objects.create(user=user, url=url)
    make_rule(user)
    fire(Evaluator(AGENT_ALERT_METRICS), "agent:web-1", 90)
    notification = Notification.objects.get()
    tasks.send_notification(notification.pk)
    notification.refresh_from_db()
    return notification


@contextmanager
def recording_server(redirect_to: str = ""):
    """An HTTP server that keeps each request's method, path and headers; with `redirect_to`, answers 307 there."""
    requests = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self):
            self.rfile.read(int(self.headers.get("Content-Length", 0)))
            requests.append((self.command, self.path, dict(self.headers)))
            self.send_response(307 if redirect_to else 200)
            if redirect_to:
                self.send_header("Location", redirect_to)
            self.send_header("Content-Length", "0")
            self.end_headers()

        do_GET = do_POST

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    try:
        yield server.server_address[1], requests
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize("host", [DENIED, "0x7f000003", "2130706435"])
def test_a_send_to_a_denied_address_makes_no_connection(admin, denied_loopback, host):
    with targets.silent_server(DENIED) as (port, accepted):
        notification = send_once(admin, f"json://{host}:{port}/hook")
    assert accepted == []
    assert "denied network" in notification.last_error
    assert (notification.status, notification.attempts) == ("pending", 1)


def test_a_name_is_judged_by_the_address_it_resolves_to_when_connecting(admin, settings):
    settings.CHECK_DENY_NETWORKS = ["127.0.0.1/32", "::1/128"]  # where `localhost` resolves
    with targets.silent_server() as (port, accepted):
        notification = send_once(admin, f"json://localhost:{port}/hook")
    assert accepted == []
    assert "denied network" in notification.last_error


def test_a_redirect_to_a_denied_address_is_not_followed(admin, denied_loopback):
    with (
        targets.silent_server(DENIED) as (denied_port, accepted),
        recording_server(redirect_to=f"http://{DENIED}:{denied_port}/internal") as (port, requests),
    ):
        notification = send_once(admin, f"json://127.0.0.1:{port}/hook")
    assert [(method, path) for method, path, _ in requests] == [("POST", "/hook")]
    assert accepted == []
    assert "denied network" in notification.last_error


INJECTED = "json://127.0.0.1:{port}/internal/admin/delete?method=GET&+X-Injected=yes"


def test_a_viewer_may_not_save_custom_headers_or_a_method(viewer):
    client = Client(HTTP_HOST="localhost")
    client.force_login(viewer)
    for url, message in [
        (INJECTED.format(port=9), "Custom headers (+Name=)"),
        ("json://127.0.0.1:9/x?-field=1", "payload fields"),
        ("json://127.0.0.1:9/x?method=GET", "A method= override"),
        ("dbus://", "notifies on the server itself"),
    ]:
        response = client.post("/accounts/profile/targets/", {"url": url, "label": "x"})
        assert response.status_code == 400
        assert message in response.content.decode()
    assert not NotificationTarget.objects.exists()


def test_a_viewers_saved_target_with_an_injected_header_sends_nothing(viewer):
    with recording_server() as (port, requests):
        notification = send_once(viewer, INJECTED.format(port=port))
    assert requests == []
    assert "Custom headers" in notification.last_error


def test_an_administrators_target_may_set_headers(admin):
    with recording_server() as (port, requests):
        notification = send_once(admin, INJECTED.format(port=port))
    [(method, path, headers)] = requests
    assert (method, path, headers["X-Injected"], notification.status) == (
        "GET",
        "/internal/admin/delete",
        "yes",
        "sent",
    )


@pytest.mark.parametrize(
    "url",
    [
        "json://169.254.169.254/latest",
        "json://0xa9fea9fe/latest",
        "json://[::ffff:169.254.169.254]/latest",
        "json://[::a9fe:a9fe]/latest",
        "json://[64:ff9b::a9fe:a9fe]/latest",
        "json://[fd00:ec2::254]/latest",
        "json://metadata.google.internal/computeMetadata/v1/",
        "json://100.100.100.200/latest",
        "json://192.0.0.192/opc/v2/",
        "json://0.0.0.0:8000/",
        "json://[fe80::1]/",
    ],
)
def test_a_target_at_a_metadata_service_is_refused_even_for_an_administrator(admin, url):
    client = Client(HTTP_HOST="localhost")
    client.force_login(admin)
    response = client.post("/accounts/profile/targets/", {"url": url, "label": "x"})
    assert response.status_code == 400
    assert "the server may not reach it" in response.content.decode()
    assert not NotificationTarget.objects.exists()


def test_an_attempt_is_cut_at_its_bound_whatever_timeouts_the_url_asks_for(viewer, settings):
    settings.NOTIFY_READ_TIMEOUT_S = 600  # no cap on the read: the attempt's bound alone ends it
    settings.NOTIFY_ATTEMPT_S = 3
    with targets.silent_server() as (port, accepted):
        started = time.monotonic()
        notification = send_once(viewer, f"json://127.0.0.1:{port}/hook?cto=90&rto=90")
        took = time.monotonic() - started
    assert len(accepted) == 1  # it did connect: the listener is allowed, it just never answers
    assert took < 30
    assert notification.last_error == "no answer within 3 s"


def test_a_read_timeout_asked_for_in_the_url_is_capped(viewer, settings):
    settings.NOTIFY_READ_TIMEOUT_S = 1
    with targets.silent_server() as (port, _):
        started = time.monotonic()
        notification = send_once(viewer, f"json://127.0.0.1:{port}/hook?rto=90")
        took = time.monotonic() - started
    assert took < settings.NOTIFY_ATTEMPT_S
    assert notification.last_error.startswith("A Connection error occurred sending JSON notification")
