"""Alert rules written in the product: the form, who may use it, and the preview of what a rule matches now."""

import json
import time

import pytest
from django.test import Client

from accounts import roles
from alerts.models import AlertRule
from monitor.models import Host, Status, Tag
from stats.latest import latest_key
from tests.roles import user_with_role

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def admin():
    return user_with_role("ops", roles.ADMIN)


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


RULE = {"name": "disk full", "enabled": "on", "metric": "disk_percent", "comparison": ">", "threshold": "90",
        "for_seconds": "0", "severity": "warning", "scope": "all"}  # fmt: skip


def test_a_new_rule_goes_to_its_creator_unless_told_otherwise(admin):
    client = signed_in(admin)
    page = client.get("/alerts/rules/new/").content.decode()
    assert f'value="{admin.pk}" id="id_recipients_0" checked' in page or "checked" in page
    assert 'id="threshold-unit"' in page
    response = client.post("/alerts/rules/new/", {**RULE, "recipients": [admin.pk]})
    assert response.status_code == 302
    assert [u.username for u in AlertRule.objects.get().recipients.all()] == ["ops"]


def test_a_rule_that_reaches_nobody_is_refused_with_the_reason(admin):
    response = signed_in(admin).post("/alerts/rules/new/", RULE)
    assert response.status_code == 400
    assert "would reach nobody" in response.content.decode()
    assert not AlertRule.objects.exists()


def test_editing_and_deleting(admin):
    client = signed_in(admin)
    client.post("/alerts/rules/new/", {**RULE, "recipients": [admin.pk]})
    rule = AlertRule.objects.get()
    assert (
        client.post(f"/alerts/rules/{rule.pk}/", {**RULE, "threshold": "95", "recipients": [admin.pk]}).status_code
        == 302
    )
    assert AlertRule.objects.get().threshold == 95
    assert "disk full" in client.get("/alerts/rules/").content.decode()
    assert client.post(f"/alerts/rules/{rule.pk}/delete/").status_code == 302
    assert not AlertRule.objects.exists()


@pytest.mark.parametrize("role", [roles.VIEWER, roles.OPERATOR])
def test_others_read_the_rules_but_see_no_controls(role):
    client = signed_in(user_with_role(role, role))
    page = client.get("/alerts/rules/")
    assert page.status_code == 200
    assert "/alerts/rules/new/" not in page.content.decode()
    assert client.get("/alerts/rules/new/").status_code == 403
    assert client.post("/alerts/rules/new/", RULE).status_code == 403


def test_the_preview_counts_the_hosts_in_scope_that_match_now(admin):
    client = signed_in(admin)
    down = Host.objects.create(name="down-1", address="127.0.0.1")
    Host.objects.filter(pk=down.pk).update(status=Status.DOWN)
    up = Host.objects.create(name="up-1", address="127.0.0.1")
    Host.objects.filter(pk=up.pk).update(status=Status.UP)
    up.tags.add(Tag.objects.create(name="web"))
    query = "/alerts/rules/preview.json?metric=host_down&comparison=>%3D&threshold=1&scope="
    everything = client.get(query + "all").json()
    assert (everything["matching"], everything["in_scope"]) == (1, 2)
    assert everything["subjects"][0] == {"name": "down-1", "value": 1.0, "matches": True}
    tagged = client.get(query + f"tag&tag={Tag.objects.get().pk}").json()
    assert (tagged["matching"], tagged["in_scope"]) == (0, 1)
    assert client.get("/alerts/rules/preview.json?metric=nope&comparison=>&threshold=1").status_code == 400


def test_the_preview_reads_agents_newest_frames(admin, settings):
    from core.redis_io.redis_clients import sync_redis

    frame = {"type": "stats", "host": "preview-agent", "ts": time.time(), "disk": {"mounts": {"/": {"percent": 93.5}}}}
    sync_redis().hset(latest_key(), "preview-agent", json.dumps(frame))
    try:
        answer = signed_in(admin).get("/alerts/rules/preview.json?metric=disk_percent&comparison=>&threshold=90").json()
    finally:
        sync_redis().hdel(latest_key(), "preview-agent")
    assert answer["unit"] == "%"
    assert {"name": "preview-agent", "value": 93.5, "matches": True} in answer["subjects"]


def test_a_rule_for_one_agent_watches_that_agent_only(admin):
    from core.redis_io.redis_clients import sync_redis

    client = signed_in(admin)
    refused = client.post(
        "/alerts/rules/new/",
        {**RULE, "scope": "agnt", "agent": "db-7", "metric": "host_down", "recipients": [admin.pk]},
    )
    assert "watches an agent&#x27;s metrics" in refused.content.decode()
    assert (
        client.post(
            "/alerts/rules/new/", {**RULE, "scope": "agnt", "agent": "db-7", "recipients": [admin.pk]}
        ).status_code
        == 302
    )
    assert AlertRule.objects.get().agent == "db-7"
    for name in ("db-7", "web-9"):
        frame = {"type": "stats", "host": name, "ts": time.time(), "disk": {"mounts": {"/": {"percent": 95.0}}}}
        sync_redis().hset(latest_key(), name, json.dumps(frame))
    try:
        answer = client.get(
            "/alerts/rules/preview.json?metric=disk_percent&comparison=>&threshold=90&scope=agnt&agent=db-7"
        ).json()
    finally:
        sync_redis().hdel(latest_key(), "db-7", "web-9")
    assert [s["name"] for s in answer["subjects"]] == ["db-7"]


def test_the_evaluator_fires_an_agent_rule_for_its_agent_only(admin):
    from alerts.evaluator import Evaluator
    from alerts.models import Alert
    from core.contracts.metrics import AGENT_ALERT_METRICS

    rule = AlertRule.objects.create(name="db disk", metric="disk_percent", threshold=90, scope="agnt", agent="db-7")
    rule.recipients.add(admin)
    evaluator = Evaluator(AGENT_ALERT_METRICS)
    for name in ("db-7", "web-9"):
        evaluator.evaluate_and_record({f"agent:{name}": (name, {"disk_percent": 95.0})})
    assert list(Alert.objects.values_list("subject", "state")) == [("agent:db-7", "firing")]
