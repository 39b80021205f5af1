"""Rules reach someone: the API adds the creator or refuses with the reason; a recipient added while
an alert fires is told at once; a new installation starts with default rules for its first admin."""

import pytest
from channels.db import database_sync_to_async
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.test import Client

from alerts import defaults
from alerts.evaluator import Evaluator
from alerts.models import AlertRule
from core.contracts.metrics import AGENT_ALERT_METRICS
from tests.alerts.test_alerts import alert_socket, fire, make_rule
from tests.api.test_api import api, make_token
from tests.waits import EVENT_TIMEOUT_S

RULE = {"name": "disk", "metric": "disk_percent", "comparison": ">", "threshold": 90}


@pytest.fixture
def writer(transactional_db) -> Client:
    return api(make_token("ops-admin", staff=True, read_only=False))


def test_a_rule_without_recipients_goes_to_its_creator(writer):
    response = writer.post("/api/alert-rules/", RULE, content_type="application/json")
    assert response.status_code == 201, response.content
    assert response.json()["recipients"] == ["ops-admin"]


def test_a_rule_that_reaches_nobody_is_refused_with_the_reason(writer):
    Group.objects.create(name="empty-team")
    get_user_model().objects.create_user("gone", is_active=False)
    for recipients in ({"recipient_groups": ["empty-team"]}, {"recipients": ["gone"]}):
        response = writer.post("/api/alert-rules/", {**RULE, **recipients}, content_type="application/json")
        assert response.status_code == 400
        assert "would reach nobody" in response.json()["recipients"][0]
    assert not AlertRule.objects.exists()
    made = writer.post("/api/alert-rules/", RULE, content_type="application/json").json()
    emptied = writer.patch(f"/api/alert-rules/{made['id']}/", {"recipients": []}, content_type="application/json")
    assert emptied.status_code == 400
    assert "choose at least one recipient" in emptied.json()["recipients"][0]


async def test_a_recipient_added_to_a_firing_alert_is_told_at_once(alice, bob):
    rule = await database_sync_to_async(make_rule)(alice)
    await database_sync_to_async(fire)(Evaluator(AGENT_ALERT_METRICS), "agent:web-1", 75)
    late = await alert_socket(bob)
    assert await late.receive_json_from(timeout=EVENT_TIMEOUT_S) == {"type": "alerts", "alerts": []}
    await database_sync_to_async(rule.recipients.add)(bob)
    frame = await late.receive_json_from(timeout=EVENT_TIMEOUT_S)
    assert (frame["type"], frame["event"], frame["alert"]["rule"]) == ("alert", "firing", "cpu high")
    await late.disconnect()


def test_the_first_administrator_gets_the_default_rules_once(transactional_db):
    response = Client().post("/setup/", {"username": "ops", "password1": "correct horse battery",
                                         "password2": "correct horse battery"})  # fmt: skip
    assert response.status_code == 302
    rules = AlertRule.objects.prefetch_related("recipients")
    assert sorted(r.metric for r in rules) == sorted(f["metric"] for f in defaults.DEFAULT_RULES)
    assert {tuple(u.username for u in r.recipients.all()) for r in rules} == {("ops",)}
    AlertRule.objects.filter(metric="disk_percent").delete()  # deleted stays deleted
    call_command("default_rules", "ops")
    assert AlertRule.objects.count() == len(defaults.DEFAULT_RULES) - 1
