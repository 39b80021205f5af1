"""The REST API: token auth, read-only tokens, CRUD with the models' validation, results, alert history, schema."""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone

from accounts import roles
from alerts.models import Alert, AlertEvent, AlertRule
from api.models import ApiToken
from monitor.models import Check, CheckResult, Host
from stats.history import ingest
from tests.roles import user_with_role

pytestmark = pytest.mark.django_db


def make_token(username: str, *, staff: bool = False, read_only: bool = True) -> str:
    user = get_user_model().objects.filter(username=username).first()
    if user is None:
        user = user_with_role(username, roles.ADMIN if staff else roles.VIEWER)
    token = ApiToken(user=user, name="test", read_only=read_only)
    secret = token.generate()
    token.save()
    return secret


def api(secret: str | None = None) -> Client:
    headers = {"HTTP_AUTHORIZATION": f"Bearer {secret}"} if secret else {}
    return Client(HTTP_HOST="localhost", **headers)


@pytest.fixture
def writer() -> Client:
    return api(make_token("ops-admin", staff=True, read_only=False))


@pytest.fixture
def reader() -> Client:
    return api(make_token("viewer"))


@pytest.mark.parametrize(
    "path", ["/api/hosts/", "/api/checks/", "/api/alert-rules/", "/api/results/", "/api/alert-events/"]
)
def test_no_token_or_a_wrong_one_is_refused(path):
    for client in (api(), api("nwm_not-a-real-token"), Client(HTTP_HOST="localhost", HTTP_AUTHORIZATION="Bearer")):
        response = client.get(path)
        assert response.status_code == 401
        assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_tokens_are_stored_as_digests_only():
    secret = make_token("someone")
    token = ApiToken.objects.get()
    assert secret.startswith("nwm_")
    assert secret not in (token.digest, token.hint)
    assert token.digest == ApiToken.hash(secret)
    api(secret).get("/api/hosts/")
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_a_read_only_token_reads_but_cannot_write(reader):
    Host.objects.create(name="web-1", address="127.0.0.1")
    assert reader.get("/api/hosts/").json()["results"][0]["name"] == "web-1"
    response = reader.post("/api/hosts/", {"name": "x", "address": "127.0.0.1"}, content_type="application/json")
    assert response.status_code == 403
    assert not Host.objects.filter(name="x").exists()


def test_a_writing_token_of_a_user_who_is_not_staff_cannot_write():
    client = api(make_token("not-staff", read_only=False))
    response = client.post("/api/hosts/", {"name": "x", "address": "127.0.0.1"}, content_type="application/json")
    assert response.status_code == 403


def test_hosts_and_checks_are_created_updated_and_deleted(writer):
    response = writer.post(
        "/api/hosts/", {"name": "db-1", "address": "::1", "tags": ["db", "lab"]}, content_type="application/json"
    )
    assert response.status_code == 201, response.content
    host = response.json()
    assert host["tags"] == ["db", "lab"]
    assert host["status"] == "pending"

    response = writer.post(
        "/api/checks/",
        {"host": host["id"], "kind": "tcp", "port": 5432, "interval_s": 30, "timeout_s": 5},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    check_id = response.json()["id"]

    response = writer.patch(f"/api/checks/{check_id}/", {"port": 6432}, content_type="application/json")
    assert response.json()["port"] == 6432
    assert Check.objects.get(pk=check_id).port == 6432
    response = writer.patch(
        f"/api/hosts/{host['id']}/", {"enabled": False, "tags": ["db"]}, content_type="application/json"
    )
    assert (response.json()["status"], response.json()["tags"]) == ("paused", ["db"])

    assert writer.delete(f"/api/checks/{check_id}/").status_code == 204
    assert writer.delete(f"/api/hosts/{host['id']}/").status_code == 204
    assert not Host.objects.exists()


@pytest.mark.parametrize(
    ("path", "body", "field", "message"),
    [
        ("/api/hosts/", {"name": "bad", "address": "not an address!"}, "address", "neither an IP address"),
        ("/api/checks/", {"kind": "tcp", "interval_s": 30, "timeout_s": 5}, "port", "needs a port"),
        ("/api/checks/", {"kind": "tcp", "port": 80, "interval_s": 10, "timeout_s": 10}, "timeout_s", "shorter"),
        ("/api/checks/", {"kind": "http", "url": "ftp://x", "interval_s": 30, "timeout_s": 5}, "url", "http://"),
        ("/api/alert-rules/", {"name": "r", "metric": "cpu_percent", "threshold": 50, "scope": "host"}, None, "host"),
    ],
)
def test_invalid_input_is_refused_with_the_models_messages(writer, path, body, field, message):
    host = Host.objects.create(name="h", address="127.0.0.1")
    if path == "/api/checks/":
        body = {**body, "host": host.pk}
    response = writer.post(path, body, content_type="application/json")
    assert response.status_code == 400
    errors = response.json()
    text = str(errors[field] if field else errors)
    assert message in text, errors
    assert Check.objects.count() == 0
    assert AlertRule.objects.count() == 0


def test_alert_rules_round_trip_with_recipients_by_name(writer):
    get_user_model().objects.create_user("carol")
    body = {"name": "disk", "metric": "disk_percent", "comparison": ">", "threshold": 90, "recipients": ["carol"]}
    response = writer.post("/api/alert-rules/", body, content_type="application/json")
    assert response.status_code == 201, response.content
    rule = response.json()
    assert rule["recipients"] == ["carol"]
    response = writer.put(f"/api/alert-rules/{rule['id']}/", {**body, "threshold": 95}, content_type="application/json")
    assert response.json()["threshold"] == 95
    assert writer.delete(f"/api/alert-rules/{rule['id']}/").status_code == 204


def test_results_are_listed_newest_first_and_filtered(reader):
    host = Host.objects.create(name="h", address="127.0.0.1")
    check = Check.objects.create(host=host, kind="tcp", port=80)
    now = timezone.now()
    for minutes, status in ((3, "up"), (2, "down"), (1, "up")):
        moment = now - timezone.timedelta(minutes=minutes)
        CheckResult.objects.create(host_check=check, host=host, scheduled_at=moment, started_at=moment, status=status)
    results = reader.get(f"/api/results/?check={check.pk}").json()["results"]
    assert [r["status"] for r in results] == ["up", "down", "up"]
    assert reader.get("/api/results/?status=down").json()["results"][0]["check_id"] == check.pk
    since = (now - timezone.timedelta(seconds=90)).isoformat()
    assert len(reader.get("/api/results/", {"since": since}).json()["results"]) == 1
    assert reader.get("/api/results/?since=yesterday").status_code == 400
    # An offset PostgreSQL would refuse (it stops at 15:59) is the same moment in UTC.
    far_east = (now - timezone.timedelta(seconds=90)).astimezone(timezone.get_fixed_timezone(16 * 60)).isoformat()
    assert len(reader.get("/api/results/", {"since": far_east}).json()["results"]) == 1
    assert reader.get("/api/results/", {"since": "0001-01-01T00:00:00+16:00"}).status_code == 400


def test_alert_history_shows_a_user_only_the_alerts_of_their_rules():
    carol = get_user_model().objects.create_user("carol")
    dave = get_user_model().objects.create_user("dave")
    for user, name in ((carol, "carol's rule"), (dave, "dave's rule")):
        rule = AlertRule.objects.create(name=name, metric="cpu_percent", threshold=50)
        rule.recipients.set([user])
        alert = Alert.objects.create(rule=rule, subject="agent:a", subject_label="a", state="firing")
        AlertEvent.objects.create(alert=alert, kind="firing", value=99, message=f"{name} fired")
    secret = ApiToken(user=carol, name="t")
    carol_client = api(secret.generate())
    secret.save()
    events = carol_client.get("/api/alert-events/").json()["results"]
    assert [e["rule_name"] for e in events] == ["carol's rule"]
    staff = api(make_token("boss", staff=True))
    assert {e["rule_name"] for e in staff.get("/api/alert-events/").json()["results"]} == {
        "carol's rule",
        "dave's rule",
    }


def test_the_openapi_schema_describes_every_endpoint_and_the_token(reader):
    response = reader.get("/api/schema/?format=json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    for path in (
        "/api/hosts/",
        "/api/hosts/{id}/",
        "/api/checks/",
        "/api/alert-rules/",
        "/api/results/",
        "/api/alert-events/",
        "/api/hosts/{host_id}/series",
    ):
        assert path in schema["paths"], path
    assert {"post", "get"} <= schema["paths"]["/api/hosts/"].keys()
    assert {"put", "patch", "delete"} <= schema["paths"]["/api/alert-rules/{id}/"].keys()
    assert schema["components"]["securitySchemes"]["bearerAuth"] == {
        "type": "http",
        "scheme": "bearer",
        "description": "An API token made in admin (nwm_…).",
    }


def test_the_series_api_returns_history_to_a_token_or_a_session(reader):
    host = Host.objects.create(name="web-1", address="127.0.0.1")
    check = Check.objects.create(host=host, kind="tcp", port=80)
    now = int(timezone.now().timestamp())
    ingest.store([("agent:web-1", "cpu.percent", "", now - 30 + i, float(i)) for i in range(20)])
    ingest.store([(f"check:{check.pk}", "check.latency_ms", "", now - 25, 4.5)])
    url = f"/api/hosts/{host.pk}/series?metric=cpu.percent,check.latency_ms&from={now - 60}&to={now}&points=61"
    response = reader.get(url)
    assert response.status_code == 200
    assert response.headers["Server-Timing"].startswith("history;dur=")
    body = response.json()
    assert (body["tier"], body["step"], len(body["t"])) == ("raw", 1, 60)
    by_metric = {s["metric"]: s for s in body["series"]}
    assert [v for v in by_metric["cpu.percent"]["avg"] if v is not None] == [float(i) for i in range(20)]
    assert [v for v in by_metric["check.latency_ms"]["max"] if v is not None] == [4.5]
    assert body["sources"][f"check:{check.pk}"] == "tcp :80"

    session = Client(HTTP_HOST="localhost")
    session.force_login(get_user_model().objects.create_user("browser-user"))
    assert session.get(url).json()["series"] == body["series"]
    assert Client(HTTP_HOST="localhost").get(url).status_code in (401, 403)


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("", "metric"),
        ("metric=cpu.bogus", "metric"),
        ("metric=cpu.percent&from=200&to=100", "from"),
        ("metric=cpu.percent&from=last-week", "from"),
        ("metric=cpu.percent&from=2026-11-23T08:00:00", "from"),
        ("metric=cpu.percent&points=1", "points"),
        ("metric=cpu.percent&points=many", "points"),
    ],
)
def test_the_series_api_explains_bad_parameters(reader, query, field):
    host = Host.objects.create(name="h", address="127.0.0.1")
    response = reader.get(f"/api/hosts/{host.pk}/series?{query}")
    assert response.status_code == 400
    assert field in response.json()


def test_unknown_hosts_and_agents_are_404(reader):
    assert reader.get("/api/hosts/999/series?metric=cpu.percent").status_code == 404
    assert reader.get("/api/agents/nobody/series?metric=cpu.percent").status_code == 404


def test_a_token_made_in_admin_is_shown_once_and_stored_as_a_digest():
    admin = get_user_model().objects.create_superuser("root", password="pw-for-root")
    browser = Client(HTTP_HOST="localhost")
    browser.force_login(admin)
    response = browser.post("/admin/api/apitoken/add/", {"user": admin.pk, "name": "prometheus", "read_only": "on"})
    assert response.status_code == 200
    secret = response.context["secret"]
    assert secret in response.content.decode()
    assert "no-store" in response["Cache-Control"]
    # Never in a cookie: not set by this response, nor kept in the session for later.
    assert all(secret not in morsel.value for morsel in response.cookies.values())
    assert secret not in str(dict(browser.session))
    token = ApiToken.objects.get(name="prometheus")
    assert token.read_only
    assert token.digest == ApiToken.hash(secret)
    assert api(secret).get("/api/hosts/").status_code == 200
