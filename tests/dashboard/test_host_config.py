"""The host dialog's routes: create, edit, quick add, pause and resume, clone, delete, bulk, and who may."""

import json

import pytest
from django.test import Client

from accounts import roles
from monitor import trial_runs
from monitor.host_setup import kind_forms
from monitor.models import Check, Host, MaintenanceWindow, Status, Tag
from tests.roles import user_with_role

pytestmark = pytest.mark.django_db(transaction=True)


def client_of(role: str) -> Client:
    client = Client()
    client.force_login(user_with_role(f"{role}-user", role))
    return client


def post(client: Client, path: str, data) -> tuple[int, dict]:
    response = client.post(path, json.dumps(data), content_type="application/json")
    return response.status_code, response.json()


WEB = {
    "name": "web-1",
    "address": "127.0.0.1",
    "tags": "prod web",
    "checks": [
        {"kind": "ping", "interval_s": 30, "timeout_s": 2, "settings": {"ping_count": 3}},
        {"kind": "tcp", "settings": {"port": "443"}},
        {"kind": "http", "settings": {"url": "https://127.0.0.1/health", "http_method": "GET"}},
    ],
}


def test_it_creates_a_host_with_its_checks_and_tags():
    status, answer = post(client_of(roles.ADMIN), "/hosts/new/", WEB)
    assert status == 201
    host = Host.objects.get(pk=answer["id"])
    assert answer["url"] == f"/hosts/{host.pk}/"
    assert [t.name for t in host.tags.all()] == ["prod", "web"]
    described = sorted(c.describe() for c in host.checks.all())
    assert described == ["http GET https://127.0.0.1/health", "ping x3", "tcp :443"]
    assert host.checks.get(kind="tcp").port == 443  # typed as text, stored as the declared number


def test_it_answers_each_problem_where_the_dialog_shows_it():
    bad = {"name": "", "address": "not an address!", "checks": [{"kind": "tcp", "settings": {}}, {"kind": "nope"}]}
    status, answer = post(client_of(roles.ADMIN), "/hosts/new/", bad)
    assert status == 400
    assert set(answer["errors"]["host"]) == {"name", "address"}
    assert answer["errors"]["checks"] == {
        "0": {"port": "A TCP check needs a port."},
        "1": {"kind": "Choose a kind of check."},
    }
    assert not Host.objects.exists()


@pytest.mark.parametrize("payload", [b"[1]", b"{not json", b'{"checks": "x"}', b'{"checks": [[]]}'])
def test_it_refuses_bad_input_without_failing(payload):
    response = client_of(roles.ADMIN).post("/hosts/new/", payload, content_type="application/json")
    assert response.status_code == 400
    assert "errors" in response.json()


def test_a_taken_name_is_refused():
    Host.objects.create(name="web-1", address="127.0.0.1")
    status, answer = post(client_of(roles.ADMIN), "/hosts/new/", WEB)
    assert status == 400
    assert "name" in answer["errors"]["host"]


def test_quick_add_reads_the_csv_syntax():
    status, answer = post(client_of(roles.ADMIN), "/hosts/quick-add/", {"line": "ping tcp:22 http:https://a.example/"})
    assert status == 200
    assert [(c["kind"], c["settings"].get("port"), c["settings"].get("url")) for c in answer["checks"]] == [
        ("ping", None, None),
        ("tcp", 22, None),
        ("http", None, "https://a.example/"),
    ]


def test_quick_add_names_the_token_that_does_not_fit():
    status, answer = post(client_of(roles.ADMIN), "/hosts/quick-add/", {"line": "ping tcp:http"})
    assert status == 400
    assert "tcp:http" in answer["errors"]["quick"]


def test_editing_keeps_a_secret_sent_back_empty_and_drops_checks_left_out():
    client = client_of(roles.ADMIN)
    host = Host.objects.create(name="sw-1", address="127.0.0.1")
    snmp = Check.objects.create(host=host, kind="snmp", community="s3cret")
    Check.objects.create(host=host, kind="tcp", port=22)
    config = client.get(f"/hosts/{host.pk}/config.json").json()
    assert "s3cret" not in json.dumps(config)
    sent = next(c for c in config["checks"] if c["kind"] == "snmp")
    assert sent["secrets_set"] == ["community"]
    status, _ = post(client, f"/hosts/{host.pk}/config/", {**config, "name": "sw-2", "checks": [sent]})
    assert status == 200
    snmp.refresh_from_db()
    assert snmp.community == "s3cret"
    assert list(Host.objects.get(pk=host.pk).checks.values_list("kind", flat=True)) == ["snmp"]
    assert Host.objects.get(pk=host.pk).name == "sw-2"


def test_pause_resume_clone_and_delete():
    client = client_of(roles.ADMIN)
    host = Host.objects.create(name="db-1", address="127.0.0.1")
    host.tags.add(Tag.objects.create(name="db"))
    Check.objects.create(host=host, kind="tcp", port=5432)
    assert post(client, f"/hosts/{host.pk}/pause/", {})[0] == 200
    assert Host.objects.get(pk=host.pk).status == Status.PAUSED
    assert post(client, f"/hosts/{host.pk}/resume/", {})[0] == 200
    assert Host.objects.get(pk=host.pk).status == Status.PENDING
    status, answer = post(client, f"/hosts/{host.pk}/clone/", {})
    copy = Host.objects.get(pk=answer["id"])
    assert (status, copy.name, copy.enabled) == (201, "db-1 (copy)", False)
    assert [c.describe() for c in copy.checks.all()] == ["tcp :5432"]
    assert [t.name for t in copy.tags.all()] == ["db"]
    assert post(client, f"/hosts/{host.pk}/delete/", {})[0] == 200
    assert list(Host.objects.values_list("name", flat=True)) == ["db-1 (copy)"]


def test_bulk_pause_tag_and_delete():
    client = client_of(roles.ADMIN)
    ids = [Host.objects.create(name=f"h{i}", address="127.0.0.1").pk for i in range(3)]
    assert post(client, "/hosts/bulk/", {"action": "pause", "ids": ids[:2]})[1]["changed"] == 2
    assert sorted(Host.objects.values_list("status", flat=True)) == ["paused", "paused", "pending"]
    assert post(client, "/hosts/bulk/", {"action": "tag", "ids": ids, "tag": "lab"})[1]["changed"] == 3
    assert Tag.objects.get(name="lab").hosts.count() == 3
    assert post(client, "/hosts/bulk/", {"action": "tag", "ids": ids, "tag": "no spaces"})[0] == 400
    assert post(client, "/hosts/bulk/", {"action": "explode", "ids": ids})[0] == 400
    assert post(client, "/hosts/bulk/", {"action": "delete", "ids": ids[:1]})[0] == 200
    assert Host.objects.count() == 2


@pytest.mark.parametrize("role", [roles.VIEWER, roles.OPERATOR])
def test_roles_without_the_right_are_refused_and_shown_no_control(role):
    client = client_of(role)
    host = Host.objects.create(name="db-1", address="127.0.0.1")
    Check.objects.create(host=host, kind="tcp", settings={"port": 22})
    assert post(client, "/hosts/new/", WEB)[0] == 403
    for action in ("pause", "clone", "delete"):
        assert post(client, f"/hosts/{host.pk}/{action}/", {})[0] == 403
    for action in ("delete", "pause", "tag"):
        assert post(client, "/hosts/bulk/", {"action": action, "ids": [host.pk], "tag": "x"})[0] == 403
    for page in ("/", f"/hosts/{host.pk}/"):
        text = client.get(page).content.decode()
        assert "host-editor" not in text
        assert "data-host-action" not in text
        assert 'data-bulk="pause"' not in text
        # Operators may silence a host and run its checks now (accounts/roles.py); viewers do nothing.
        assert ("data-host-maintenance" in text or 'data-bulk="maintenance"' in text) == (role == roles.OPERATOR)
    assert ("data-host-test" in client.get(f"/hosts/{host.pk}/").content.decode()) == (role == roles.OPERATOR)
    assert Host.objects.filter(enabled=True).count() == 1


def test_an_operator_tests_only_a_saved_hosts_own_checks(monkeypatch):
    queued = []
    monkeypatch.setattr(trial_runs, "start", lambda user_id, checks, address: queued.append((checks, address)) or "t")
    host = Host.objects.create(name="db-1", address="127.0.0.2")
    Check.objects.create(host=host, kind="tcp", settings={"port": 5432})
    client = client_of(roles.OPERATOR)
    status, answer = post(client, "/hosts/test/", {"id": host.pk, "address": "127.0.0.9", "checks": WEB["checks"]})
    assert status == 202
    assert answer["checks"] == [host.checks.get().describe()]
    [(checks, address)] = queued
    assert ([c.kind for c in checks], address) == (["tcp"], "127.0.0.2")  # the stored ones, not those sent
    status, answer = post(client, "/hosts/test/", {"address": "127.0.0.9", "checks": WEB["checks"]})
    assert status == 400
    assert len(queued) == 1
    assert post(client_of(roles.VIEWER), "/hosts/test/", {"id": host.pk})[0] == 403


def test_the_admin_sees_the_dialog_with_each_kind_and_only_its_fields():
    text = client_of(roles.ADMIN).get("/").content.decode()
    assert 'id="host-editor"' in text
    assert "data-open-host-editor" in text
    forms = {kind["name"]: [s["name"] for s in kind["settings"]] for kind in kind_forms()}
    assert forms["tcp"] == ["port"]
    assert "url" in forms["http"]
    assert "port" not in forms["http"]
    snmp = next(k for k in kind_forms() if k["name"] == "snmp")
    secrets = [s for s in snmp["settings"] if s["input"] == "secret"]
    assert secrets
    assert all(s["default"] is None for s in secrets)


def test_maintenance_from_a_host_page_and_the_grid():
    client = client_of(roles.ADMIN)
    ids = [Host.objects.create(name=f"m{i}", address="127.0.0.1").pk for i in range(3)]
    status, _ = post(client, f"/hosts/{ids[0]}/maintenance/", {"minutes": 90, "reason": "kernel update"})
    assert status == 200
    window = MaintenanceWindow.objects.get()
    assert (window.host_id, window.reason) == (ids[0], "kernel update")
    assert round((window.ends_at - window.starts_at).total_seconds()) == 90 * 60
    assert post(client, "/hosts/bulk/", {"action": "maintenance", "ids": ids[1:], "minutes": 30})[1]["changed"] == 2
    assert MaintenanceWindow.objects.count() == 3
    for bad in (0, "60", 10**9, True):
        assert post(client, f"/hosts/{ids[0]}/maintenance/", {"minutes": bad})[0] == 400
    assert "In maintenance until" in client.get(f"/hosts/{ids[0]}/").content.decode()
    operator = client_of(roles.OPERATOR)
    assert post(operator, f"/hosts/{ids[0]}/maintenance/", {"minutes": 5})[0] == 200
    assert post(operator, "/hosts/bulk/", {"action": "maintenance", "ids": ids[1:], "minutes": 5})[0] == 200
    assert post(client_of(roles.VIEWER), f"/hosts/{ids[0]}/maintenance/", {"minutes": 5})[0] == 403


def test_the_host_page_shows_uptime_and_a_loss_chart_only_with_ping():
    from datetime import timedelta

    from django.utils import timezone

    from monitor.models import CheckResult
    from status import ledger

    client = client_of(roles.VIEWER)
    host = Host.objects.create(name="up-1", address="127.0.0.1")
    tcp = Check.objects.create(host=host, kind="tcp", port=22)
    now = timezone.now()
    results = [CheckResult.objects.create(host_check=tcp, host=host, scheduled_at=now - timedelta(minutes=m),
                                          started_at=now - timedelta(minutes=m), status="up", latency_ms=1.0)
               for m in (3, 2, 1)]  # fmt: skip
    ledger.count(results)
    page = client.get(f"/hosts/{host.pk}/").content.decode()
    uptime = page.split('id="host-uptime">')[1].split("</span>")[0]
    assert "100.00 %" in uptime
    assert "<figure hidden><figcaption>Packet loss" in page
    Check.objects.create(host=host, kind="ping")
    assert "<figure><figcaption>Packet loss" in client.get(f"/hosts/{host.pk}/").content.decode()
