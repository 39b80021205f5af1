"""One test per finding of the security review: each failed before the fix."""

import ipaddress
import json
import subprocess
import sys

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client

from accounts import roles
from alerts.models import NotificationTarget
from api.models import ApiToken
from monitor.models import Host
from tests.conftest import socket
from tests.roles import user_with_role
from tests.waits import EVENT_TIMEOUT_S

PASSWORD = "correct horse battery"


def api(secret: str | None = None) -> Client:
    return Client(HTTP_HOST="localhost", **({"HTTP_AUTHORIZATION": f"Bearer {secret}"} if secret else {}))


def token_for(user, read_only: bool = True) -> str:
    token = ApiToken(user=user, name="t", read_only=read_only)
    secret = token.generate()
    token.save()
    return secret


@pytest.fixture
def viewer(db):
    return user_with_role("vera", roles.VIEWER)


# --- brute force -------------------------------------------------------------------------


def test_wrong_passwords_lock_the_login_page_for_that_account_and_address(db):
    user_with_role("victim", roles.VIEWER)
    client = Client(HTTP_HOST="localhost")
    statuses = [
        client.post("/accounts/login/", {"username": "victim", "password": f"guess-{i}"}).status_code
        for i in range(settings.AXES_FAILURE_LIMIT + 2)
    ]
    assert statuses[: settings.AXES_FAILURE_LIMIT - 1] == [200] * (settings.AXES_FAILURE_LIMIT - 1)
    assert statuses[-1] == 429
    # Now even the right password is refused from this address, with the reason.
    locked = client.post("/accounts/login/", {"username": "victim", "password": PASSWORD})
    assert locked.status_code == 429
    assert b"Too many failed logins" in locked.content
    # Another account from the same address is not locked by it.
    user_with_role("colleague", roles.VIEWER)
    assert (
        Client(HTTP_HOST="localhost")
        .post("/accounts/login/", {"username": "colleague", "password": PASSWORD})
        .status_code
        == 302
    )


def test_wrong_passwords_lock_the_admin_login_too(db):
    get_user_model().objects.create_superuser("root", password=PASSWORD)
    client = Client(HTTP_HOST="localhost")
    for i in range(settings.AXES_FAILURE_LIMIT):
        client.post("/admin/login/", {"username": "root", "password": f"guess-{i}"})
    assert client.post("/admin/login/", {"username": "root", "password": PASSWORD}).status_code == 429


def test_guessing_tokens_is_refused_from_that_address_while_valid_tokens_go_on_working(db, viewer, admin_user):
    good, writing = token_for(viewer), token_for(admin_user, read_only=False)
    guesses = [api(f"nwm_guess-{i}").get("/api/hosts/").status_code for i in range(settings.AXES_FAILURE_LIMIT)]
    assert guesses == [401] * (settings.AXES_FAILURE_LIMIT - 1) + [429]  # the last guess is the one that locks
    response = api("nwm_one-more-guess").get("/api/hosts/")
    assert response.status_code == 429
    assert "invalid tokens" in response.json()["detail"]
    # The same address (every client behind one proxy) with a valid token is let in.
    assert api(good).get("/api/hosts/").status_code == 200
    assert api(good).get("/metrics").status_code == 200
    made = api(writing).post("/api/hosts/", {"name": "h1", "address": "127.0.0.1"}, content_type="application/json")
    assert made.status_code == 201, made.content
    assert api("nwm_still-guessing").get("/metrics").status_code == 429


def behind_proxy(client_address: str | None) -> Client:
    """A request through the reverse proxy on 127.0.0.1, which names its client."""
    return Client(HTTP_HOST="localhost", **({"HTTP_X_FORWARDED_FOR": client_address} if client_address else {}))


def lock_out_victim_from(client: Client) -> None:
    for i in range(settings.AXES_FAILURE_LIMIT):
        client.post("/accounts/login/", {"username": "victim", "password": f"guess-{i}"})


def test_behind_a_trusted_proxy_a_guesser_locks_out_only_their_own_address(db, settings):
    settings.TRUSTED_PROXIES = [ipaddress.ip_network("127.0.0.1/32")]
    user_with_role("victim", roles.VIEWER)
    # The attacker also writes a forged hop of their own: only the proxy's right-most one counts.
    lock_out_victim_from(behind_proxy("198.51.100.7, 203.0.113.66"))
    attacker = behind_proxy("203.0.113.66").post("/accounts/login/", {"username": "victim", "password": PASSWORD})
    assert attacker.status_code == 429
    victim = behind_proxy("198.51.100.7").post("/accounts/login/", {"username": "victim", "password": PASSWORD})
    assert victim.status_code == 302


def test_without_a_trusted_proxy_x_forwarded_for_is_ignored(db, settings):
    settings.TRUSTED_PROXIES = []
    user_with_role("victim", roles.VIEWER)
    for i in range(settings.AXES_FAILURE_LIMIT):  # a new address each guess, as if that dodged the lockout
        behind_proxy(f"203.0.113.{i}").post("/accounts/login/", {"username": "victim", "password": f"guess-{i}"})
    response = behind_proxy("198.51.100.7").post("/accounts/login/", {"username": "victim", "password": PASSWORD})
    assert response.status_code == 429


def test_the_api_throttles_each_user(db, viewer):
    from rest_framework.throttling import SimpleRateThrottle

    rates = SimpleRateThrottle.THROTTLE_RATES
    SimpleRateThrottle.THROTTLE_RATES = {"user": "3/min"}
    try:
        client = api(token_for(viewer))
        assert [client.get("/api/hosts/").status_code for _ in range(4)] == [200, 200, 200, 429]
        session = Client(HTTP_HOST="localhost")
        session.force_login(viewer)
        assert session.get("/api/checks/").status_code == 429  # the same user, whichever way in
    finally:
        SimpleRateThrottle.THROTTLE_RATES = rates


# --- bad input ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "query",
    [
        "/api/checks/?host=abc",
        "/api/checks/?host=99999999999999999999999",
        "/api/hosts/?status=exploded",
        "/api/results/?check=1.5",
        "/api/results/?since=2026-13-45T00:00:00Z",
        "/api/alert-events/?severity=apocalyptic",
        "/api/hosts/1/series?metric=cpu.percent&from=nan",
        "/api/hosts/1/series?metric=cpu.percent&to=inf",
        "/api/hosts/1/series?metric=cpu.percent&from=-1e300",
    ],
)
def test_bad_query_parameters_are_400_with_the_reason_not_500(db, viewer, query):
    Host.objects.create(pk=1, name="h", address="127.0.0.1")
    response = api(token_for(viewer)).get(query)
    assert response.status_code == 400, response.content
    assert response.json()  # says which parameter and why


def test_nul_characters_are_refused_before_they_reach_the_database(db, viewer):
    """PostgreSQL cannot store or search text with NUL: found by schemathesis as a 500 there."""
    admin = user_with_role("ada", roles.ADMIN)
    client = api(token_for(admin, read_only=False))
    for path in ("/api/hosts/?tag=%00", "/api/alert-events/?kind=a%00b", "/api/agents/a%00b/series?metric=cpu.percent"):
        assert client.get(path).status_code == 400, path
    page = Client(HTTP_HOST="localhost")
    page.force_login(viewer)
    assert page.get("/alerts/?q=%00").status_code == 400
    body = {"name": "r", "metric": "cpu_percent", "threshold": 1, "recipients": ["\x00"], "tag": "a\x00"}
    response = client.post("/api/alert-rules/", body, "application/json")
    assert response.status_code == 400
    assert set(response.json()) == {"recipients", "tag"}


def test_the_series_api_caps_what_one_request_may_cost(db, viewer):
    host = Host.objects.create(name="h", address="127.0.0.1")
    client = api(token_for(viewer))
    too_long = client.get(f"/api/hosts/{host.pk}/series?metric=cpu.percent&from=0&to=2000000000")
    assert too_long.status_code == 400
    assert "at most 800 days" in json.dumps(too_long.json())


def test_every_list_has_a_largest_page(db, viewer):
    client = api(token_for(viewer))
    for path in ("/api/hosts/", "/api/checks/", "/api/alert-rules/", "/api/results/", "/api/alert-events/"):
        assert client.get(f"{path}?limit=1000000").status_code == 200
    Host.objects.bulk_create(Host(name=f"h{i}", address="127.0.0.1") for i in range(1005))
    assert len(client.get("/api/hosts/?limit=1000000").json()["results"]) == 1000


@pytest.mark.django_db(transaction=True)
async def test_deeply_nested_json_gets_an_error_frame_and_the_socket_lives(alice):
    communicator = await socket("/ws/echo/", alice)
    assert (await communicator.connect())[0]
    for text in ("[" * 30_000 + "]" * 30_000, '{"type": "x", "a": ' + "[" * 100 + "]" * 100 + "}"):
        assert len(text) < 64 * 1024
        await communicator.send_to(text_data=text)
        reply = await communicator.receive_json_from(timeout=EVENT_TIMEOUT_S)
        assert reply["type"] == "error"
        assert "nested too deeply" in reply["message"]
    await communicator.send_json_to({"type": "ping"})
    assert await communicator.receive_json_from(timeout=EVENT_TIMEOUT_S) == {"type": "pong"}
    await communicator.disconnect()


# --- what anonymous callers see --------------------------------------------------------------


def test_the_api_schema_needs_a_login(db, viewer):
    assert api().get("/api/schema/").status_code == 401
    assert api(token_for(viewer)).get("/api/schema/").status_code == 200


def test_pages_send_a_content_security_policy(db, viewer):
    client = Client(HTTP_HOST="localhost")
    client.force_login(viewer)
    for path in ("/", "/alerts/", "/chat/", "/accounts/profile/", "/accounts/login/"):
        policy = client.get(path)["Content-Security-Policy"]
        directives = dict(d.strip().split(" ", 1) for d in policy.split(";") if d.strip())
        assert directives["script-src"] == "'self'", path
        assert directives["object-src"] == "'none'"
        assert directives["frame-ancestors"] == "'none'"


# --- secrets -----------------------------------------------------------------------------------


def test_an_apprise_url_is_never_shown_back_after_saving(db):
    admin = get_user_model().objects.create_superuser("root", password=PASSWORD)
    secret_url = "json://alertbot:s3cr3t-pass@127.0.0.1:9/hook"
    target = NotificationTarget.objects.create(user=admin, url=secret_url, label="hook")
    client = Client(HTTP_HOST="localhost")
    client.force_login(admin)
    for path in (
        f"/admin/alerts/notificationtarget/{target.pk}/change/",
        "/admin/alerts/notificationtarget/",
        "/accounts/profile/",
    ):
        assert b"s3cr3t-pass" not in client.get(path).content, path
    # Saving the form with the URL left empty keeps it.
    response = client.post(
        f"/admin/alerts/notificationtarget/{target.pk}/change/",
        {"user": admin.pk, "url": "", "label": "renamed", "enabled": "on"},
    )
    assert response.status_code == 302
    target.refresh_from_db()
    assert (target.url, target.label) == (secret_url, "renamed")


def test_production_settings_pass_check_deploy(tmp_path):
    env = {
        "PATH": "/usr/bin:/bin",
        "SECRET_KEY": "k" * 10 + "Zq8-a1_Wb2xYc3VdT4eSf5Rg6QhP7iOj9kNlMmLnKoJpIqHrGsF",
        "DEBUG": "0",
        "HTTPS": "1",
        "ALLOWED_HOSTS": "monitor.example.org",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "REDIS_URL": settings.REDIS_URL,
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
