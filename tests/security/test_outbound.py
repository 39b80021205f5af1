"""Where checks may go (core.security.destinations), and secrets kept out of what people see.

No packet goes to a denied address in these tests: refused destinations are refused
before any connection, and the runtime cases deny a loopback address of their own.
"""

import json
import logging
import urllib.parse

import pytest
from django.test import Client

from accounts import roles
from api.models import ApiToken
from core.security import destinations
from core.security.redaction import MASK, RedactingFormatter, redact_text, redact_url, unredact_url
from monitor.checks import execute
from monitor.models import Check, Host
from tests import targets
from tests.monitor.test_checks import spec
from tests.roles import user_with_role


@pytest.mark.parametrize(
    "address", ["169.254.169.254", "169.254.0.1", "fd00:ec2::254", "::ffff:169.254.169.254", "fe80::1%eth0"]
)
def test_link_local_and_cloud_metadata_are_always_denied(address):
    assert "denied network" in destinations.refusal(address)


@pytest.mark.parametrize("address", ["127.0.0.1", "::1", "10.1.2.3", "192.168.1.1", "172.16.0.1"])
def test_loopback_and_private_ranges_stay_allowed(address):
    assert destinations.refusal(address) is None


def test_configured_networks_are_denied_too(settings):
    settings.CHECK_DENY_NETWORKS = ["10.9.0.0/16"]
    assert "10.9.0.0/16" in destinations.refusal("10.9.4.4")
    assert destinations.refusal("10.8.4.4") is None


def test_a_denied_address_is_refused_when_configured(db):
    admin = user_with_role("ada", roles.ADMIN)
    token = ApiToken(user=admin, name="w", read_only=False)
    secret = token.generate()
    token.save()
    client = Client(HTTP_HOST="localhost", HTTP_AUTHORIZATION=f"Bearer {secret}")
    response = client.post("/api/hosts/", {"name": "meta", "address": "169.254.169.254"}, "application/json")
    assert response.status_code == 400
    assert "denied network" in str(response.json()["address"])
    host = Host.objects.create(name="web", address="127.0.0.1")
    for body, field in (
        ({"kind": "http", "url": "http://169.254.169.254/latest/meta-data/"}, "url"),
        ({"kind": "dns", "dns_server": "169.254.169.253"}, "dns_server"),
    ):
        response = client.post("/api/checks/", {"host": host.pk, **body}, "application/json")
        assert response.status_code == 400, body
        assert "denied network" in str(response.json()[field])


async def test_a_tcp_check_to_a_denied_address_is_down_without_connecting(settings):
    settings.CHECK_DENY_NETWORKS = ["127.0.0.3/32"]
    with targets.tcp_listener() as port:
        outcome = await execute(spec("tcp", address="127.0.0.3", port=port))
    assert outcome.error == "127.0.0.3 is in a denied network (127.0.0.3/32): the server may not reach it"


async def test_a_redirect_to_a_denied_address_is_not_followed(settings):
    settings.CHECK_DENY_NETWORKS = ["127.0.0.3/32"]
    with targets.http_server() as base:
        port = urllib.parse.urlsplit(base).port
        away = urllib.parse.quote(f"http://127.0.0.3:{port}/ok", safe="")
        outcome = await execute(spec("http", url=f"{base}/away?to={away}"))
        allowed = await execute(spec("http", url=f"{base}/away?to={urllib.parse.quote(base + '/ok', safe='')}"))
    assert "127.0.0.3 is in a denied network" in outcome.error
    assert allowed.error == ""
    assert allowed.details["redirects"] == 1


async def test_a_name_that_resolves_to_a_denied_address_is_refused(settings):
    settings.CHECK_DENY_NETWORKS = ["127.0.0.0/8", "::1/128"]
    outcome = await execute(spec("http", url="http://localhost:9/"))
    assert "is in a denied network" in outcome.error


async def test_a_dns_check_against_a_denied_server_is_down(settings):
    settings.CHECK_DENY_NETWORKS = ["127.0.0.3/32"]
    outcome = await execute(spec("dns", dns_name="example.test", dns_server="127.0.0.3"))
    assert "denied network" in outcome.error


# --- secrets in URLs -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("https://ops:hunter2@127.0.0.1/health", f"https://ops:{MASK}@127.0.0.1/health"),
        ("https://ghp_abc123@127.0.0.1/", f"https://{MASK}@127.0.0.1/"),
        (
            "http://127.0.0.1/status?token=abc&page=2&api_key=xyz&signature=s",
            f"http://127.0.0.1/status?token={MASK}&page=2&api_key={MASK}&signature={MASK}",
        ),
        ("http://127.0.0.1/#access_token=abc", f"http://127.0.0.1/#access_token={MASK}"),
        ("http://127.0.0.1:8080/plain?q=1", "http://127.0.0.1:8080/plain?q=1"),
    ],
)
def test_urls_are_shown_without_their_secrets(url, shown):
    assert redact_url(url) == shown
    assert unredact_url(shown, url) == url  # sent back unchanged: the secret stays
    assert unredact_url("http://127.0.0.1/new", url) == "http://127.0.0.1/new"
    assert redact_text(f"GET {url} failed") == f"GET {shown} failed"


def test_log_lines_are_redacted():
    record = logging.LogRecord("x", logging.ERROR, __file__, 1, "fetching %s", ("http://u:pw@127.0.0.1/",), None)
    assert RedactingFormatter("%(message)s").format(record) == f"fetching http://u:{MASK}@127.0.0.1/"


def test_a_check_urls_secrets_never_reach_pages_the_api_or_metrics(db):
    secret_url = "http://monitor:pa55word@127.0.0.1:9/health?token=t0ken-value&verbose=1"
    host = Host.objects.create(name="web", address="127.0.0.1")
    check = Check.objects.create(host=host, kind="http", url=secret_url)
    admin = user_with_role("ada", roles.ADMIN)
    token = ApiToken(user=admin, name="w", read_only=False)
    secret = token.generate()
    token.save()
    session = Client(HTTP_HOST="localhost")
    session.force_login(admin)
    api = Client(HTTP_HOST="localhost", HTTP_AUTHORIZATION=f"Bearer {secret}")
    bodies = [
        session.get(f"/hosts/{host.pk}/").content,
        session.get("/hosts/grid.json").content,
        session.get(f"/admin/monitor/check/{check.pk}/change/").content,
        session.get("/admin/monitor/check/").content,
        session.get(f"/admin/monitor/host/{host.pk}/change/").content,
        api.get(f"/api/checks/{check.pk}/").content,
        api.get("/api/checks/").content,
        api.get("/metrics").content,
    ]
    for body in bodies:
        assert b"pa55word" not in body
        assert b"t0ken-value" not in body
    assert api.get(f"/api/checks/{check.pk}/").json()["url"] == redact_url(secret_url)
    # Writing the shown URL back keeps the secret; a new URL replaces it.
    shown = api.get(f"/api/checks/{check.pk}/").json()
    assert api.patch(f"/api/checks/{check.pk}/", {"url": shown["url"]}, "application/json").status_code == 200
    check.refresh_from_db()
    assert check.url == secret_url


async def test_what_an_http_check_records_carries_no_secret():
    """A result's error and details go into frames and the API as they are: they hold no secret."""
    with targets.http_server() as base:
        port = urllib.parse.urlsplit(base).port
        target = urllib.parse.quote(f"http://u2:redirect-pw@127.0.0.1:{port}/ok?api_key=k3y", safe="")
        followed = await execute(spec("http", url=f"http://u:first-pw@127.0.0.1:{port}/away?to={target}&token=t0k"))
        missing = await execute(spec("http", url=f"http://u:first-pw@127.0.0.1:{port}/teapot?token=t0k"))
    assert followed.error == ""
    assert followed.details["final_url"] == f"http://u2:{MASK}@127.0.0.1:{port}/ok?api_key={MASK}"
    for outcome in (followed, missing):
        recorded = json.dumps([outcome.error, outcome.details])
        for secret in ("first-pw", "redirect-pw", "k3y", "t0k"):
            assert secret not in recorded
