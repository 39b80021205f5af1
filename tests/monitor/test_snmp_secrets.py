"""SNMP credentials: write-only in the API and admin, encrypted at rest, and never in a page,
API response, live frame, log line or /metrics, whether the device answers or refuses them."""

import asyncio
import json
import logging
import time

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client

from dashboard.frames import frames
from monitor.checks import execute
from monitor.csv_import import import_hosts
from monitor.models import Check, CheckResult, Host
from monitor.results import Finished, save_results
from tests.api.test_api import api, make_token
from tests.monitor.snmp_agents import AUTH_PASSWORD, COMMUNITY, PRIV_PASSWORD, V3_USER, snmpd

pytestmark = pytest.mark.django_db(transaction=True)
SECRETS = [COMMUNITY, AUTH_PASSWORD, PRIV_PASSWORD, "wrong-priv-0a7e", "wrong-community-d41"]


def stored_setting(check_id: int, name: str) -> str:
    """A setting as the database holds it, read past the model."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT settings FROM monitor_check WHERE id = %s", [check_id])
        raw = cursor.fetchone()[0]
    return (json.loads(raw) if isinstance(raw, str) else raw)[name]


def run(check_ids: list[int]) -> list[str]:
    """Run and record the checks as a worker does; returns the live frames' texts."""
    checks = Check.objects.select_related("host").filter(pk__in=check_ids)
    started = time.time()
    finished = [Finished(c.spec(started), asyncio.run(execute(c.spec(started))), started) for c in checks]
    return [text for _, _, text in frames(save_results(finished))]


def test_credentials_never_come_back_out(caplog):
    caplog.set_level(logging.DEBUG)
    writer = api(make_token("ops-admin", staff=True, read_only=False))
    host = Host.objects.create(name="core-sw", address="127.0.0.1")
    with snmpd() as port:
        base = {"host": host.pk, "kind": "snmp", "port": port, "interval_s": 30, "timeout_s": 2, "snmp_retries": 0}
        made = [
            writer.post("/api/checks/", {**base, "snmp_version": "2c", "community": COMMUNITY},
                        content_type="application/json"),
            writer.post("/api/checks/", {**base, "snmp_version": "3", "snmp_user": V3_USER, "auth_protocol": "SHA-256",
                                         "auth_password": AUTH_PASSWORD, "priv_protocol": "AES",
                                         "priv_password": PRIV_PASSWORD}, content_type="application/json"),
            writer.post("/api/checks/", {**base, "snmp_version": "3", "snmp_user": V3_USER, "auth_protocol": "SHA-256",
                                         "auth_password": AUTH_PASSWORD, "priv_protocol": "AES",
                                         "priv_password": "wrong-priv-0a7e"}, content_type="application/json"),
            writer.post("/api/checks/", {**base, "snmp_version": "2c", "community": "wrong-community-d41"},
                        content_type="application/json"),
        ]  # fmt: skip
        assert [response.status_code for response in made] == [201] * 4, [r.content for r in made]
        ids = [response.json()["id"] for response in made]
        texts = run(ids)
    results = {r.host_check_id: r for r in CheckResult.objects.all()}
    assert [results[i].status for i in ids] == ["up", "up", "down", "down"], [results[i].error for i in ids]

    # Encrypted at rest.
    for check_id, name in [(ids[0], "community"), (ids[1], "auth_password"), (ids[1], "priv_password")]:
        raw = stored_setting(check_id, name)
        assert raw.startswith("fernet:")
        assert not any(secret in raw for secret in SECRETS)
    assert Check.objects.get(pk=ids[1]).priv_password == PRIV_PASSWORD  # and read back by the worker

    # Write-only: an update that leaves a secret out keeps it.
    assert (
        writer.patch(f"/api/checks/{ids[0]}/", {"interval_s": 60}, content_type="application/json").status_code == 200
    )
    assert Check.objects.get(pk=ids[0]).community == COMMUNITY

    admin = get_user_model().objects.create_superuser("root", password="pw-for-tests-only")
    browser = Client()
    browser.force_login(admin)
    reader = api(make_token("viewer"))
    texts += [response.content.decode() for response in made]
    texts += [reader.get(path).content.decode() for path in
              ["/api/checks/", f"/api/checks/{ids[1]}/", f"/api/hosts/{host.pk}/interfaces/",
               f"/api/hosts/{host.pk}/device/", "/api/results/", f"/api/hosts/{host.pk}/"]]  # fmt: skip
    texts.append(Client(HTTP_HOST="localhost", HTTP_AUTHORIZATION=f"Bearer {make_token('scraper')}").get("/metrics")
                 .content.decode())  # fmt: skip
    texts += [browser.get(path).content.decode() for path in
              [f"/admin/monitor/check/{ids[0]}/change/", f"/admin/monitor/check/{ids[1]}/change/",
               f"/admin/monitor/host/{host.pk}/change/", f"/hosts/{host.pk}/", "/map/", "/"]]  # fmt: skip
    texts += [caplog.text, *(r.error for r in results.values()), *(str(r.details) for r in results.values())]
    assert "snmp v3 netmon-ops" in "".join(texts)  # the pages were really rendered
    assert "netmon_port_receive_bits_per_second" in "".join(texts)
    leaks = [(secret, text[:200]) for secret in SECRETS for text in texts if secret in text]
    assert leaks == []


def test_v3_credentials_are_validated_with_a_message():
    writer = api(make_token("ops-admin", staff=True, read_only=False))
    host = Host.objects.create(name="edge-sw", address="127.0.0.1")
    response = writer.post(
        "/api/checks/",
        {"host": host.pk, "kind": "snmp", "snmp_version": "3", "snmp_user": "", "auth_password": "tiny-7",
         "priv_password": "", "interval_s": 5},
        content_type="application/json",
    )  # fmt: skip
    assert response.status_code == 400
    errors = response.json()
    assert "user name" in str(errors["snmp_user"])
    assert "at least 8 characters" in str(errors["auth_password"])
    assert "at most every 10 seconds" in str(errors["interval_s"])
    assert "tiny-7" not in response.content.decode()


def test_csv_import_takes_an_snmp_check():
    report = import_hosts("name,address,checks\nsw-1,127.0.0.1,snmp:c0mm@1161 ping\nsw-2,127.0.0.1,snmp:\n")
    check = Check.objects.get(host__name="sw-1", kind="snmp")
    assert (check.snmp_version, check.community, check.port) == ("2c", "c0mm", 1161)
    [(line, message)] = report.errors
    assert line == 3
    assert "write an SNMP check as snmp:<community>[@<port>]" in message


def test_interfaces_need_a_login_or_a_token():
    host = Host.objects.create(name="sw-api", address="127.0.0.1")
    assert api().get(f"/api/hosts/{host.pk}/interfaces/").status_code == 401
    response = api(make_token("viewer")).get(f"/api/hosts/{host.pk}/interfaces/")
    assert response.status_code == 200
    assert response.json() == []
    assert api(make_token("viewer2")).get(f"/api/hosts/{host.pk}/device/").status_code == 404


def test_credentials_are_encrypted_in_the_settings_and_never_shown_back():
    writer = api(make_token("ops-admin", staff=True, read_only=False))
    host = Host.objects.create(name="edge-sw", address="127.0.0.1")
    made = writer.post(
        "/api/checks/",
        {"host": host.pk, "kind": "snmp", "snmp_version": "3", "snmp_user": V3_USER, "auth_password": AUTH_PASSWORD,
         "priv_password": PRIV_PASSWORD, "interval_s": 30, "timeout_s": 2},
        content_type="application/json",
    )  # fmt: skip
    assert made.status_code == 201, made.content
    check_id = made.json()["id"]
    for name in ("auth_password", "priv_password"):
        assert stored_setting(check_id, name).startswith("fernet:")
    assert (
        writer.patch(f"/api/checks/{check_id}/", {"snmp_retries": 2}, content_type="application/json").json()[
            "snmp_retries"
        ]
        == 2
    )
    check = Check.objects.get(pk=check_id)
    assert (check.auth_password, check.priv_password, check.snmp_retries) == (AUTH_PASSWORD, PRIV_PASSWORD, 2)
    shown = writer.get(f"/api/checks/{check_id}/").content.decode() + made.content.decode()
    assert AUTH_PASSWORD not in shown
    assert PRIV_PASSWORD not in shown
    assert "fernet:" not in shown
