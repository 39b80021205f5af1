"""Alert evaluation, the per-user alert channel and notifications, against the real DB and Redis layer."""

import time
from datetime import UTC, datetime, timedelta

import pytest
from channels.db import database_sync_to_async
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import OperationalError
from django.test import Client
from django.utils import timezone

from alerts import evaluator as evaluator_module
from alerts import tasks
from alerts.evaluator import Evaluator
from alerts.models import Alert, AlertEvent, AlertRule, Notification, NotificationTarget
from core.contracts.metrics import AGENT_ALERT_METRICS
from monitor.models import Host, MaintenanceWindow, Tag
from tests import targets
from tests.conftest import socket
from tests.waits import EVENT_TIMEOUT_S


def make_rule(*recipients, groups=(), **fields) -> AlertRule:
    fields = {"name": "cpu high", "metric": "cpu_percent", "comparison": ">", "threshold": 50, **fields}
    rule = AlertRule.objects.create(**fields)
    rule.recipients.set(recipients)
    rule.recipient_groups.set(groups)
    return rule


def fire(evaluator: Evaluator, subject: str, value: float, now: float | None = None, metric: str = "cpu_percent"):
    evaluator.evaluate_and_record({subject: (subject.split(":", 1)[1], {metric: value})}, now)


async def alert_socket(user):
    communicator = await socket("/ws/alerts/", user)
    assert (await communicator.connect())[0]
    return communicator


async def nothing_more(communicator) -> None:
    await communicator.send_json_to({"type": "ping"})
    assert await communicator.receive_json_from(timeout=EVENT_TIMEOUT_S) == {"type": "pong"}


async def test_each_user_receives_only_their_own_alerts_and_acks(alice, bob):
    await database_sync_to_async(make_rule)(alice, name="alice's rule")
    await database_sync_to_async(make_rule)(bob, name="bob's rule", metric="mem_percent")
    a, b = await alert_socket(alice), await alert_socket(bob)
    assert await a.receive_json_from(timeout=EVENT_TIMEOUT_S) == {"type": "alerts", "alerts": []}
    assert await b.receive_json_from(timeout=EVENT_TIMEOUT_S) == {"type": "alerts", "alerts": []}

    evaluator = Evaluator(AGENT_ALERT_METRICS)
    await database_sync_to_async(fire)(evaluator, "agent:web-1", 75)
    frame = await a.receive_json_from(timeout=EVENT_TIMEOUT_S)
    assert frame["type"] == "alert"
    assert frame["event"] == "firing"
    assert frame["alert"]["rule"] == "alice's rule"
    assert frame["alert"]["subject"] == "web-1"
    assert frame["alert"]["value"] == 75
    await nothing_more(b)

    # bob cannot acknowledge alice's alert, nor learn that it exists.
    await b.send_json_to({"type": "ack", "id": frame["alert"]["id"]})
    assert await b.receive_json_from(timeout=EVENT_TIMEOUT_S) == {
        "type": "error",
        "message": "no such alert among yours",
    }
    await a.send_json_to({"type": "ack", "id": frame["alert"]["id"]})
    acked = await a.receive_json_from(timeout=EVENT_TIMEOUT_S)
    assert (acked["event"], acked["alert"]["acknowledged_by"]) == ("acknowledged", "alice")
    await nothing_more(b)
    for communicator in (a, b):
        await communicator.disconnect()


async def test_every_recipient_sees_an_ack_at_once_and_a_reconnect_sees_open_alerts(alice, bob):
    def setup():
        team = Group.objects.create(name="on call")
        bob.groups.add(team)
        make_rule(alice, groups=[team])

    await database_sync_to_async(setup)()
    evaluator = Evaluator(AGENT_ALERT_METRICS)
    await database_sync_to_async(fire)(evaluator, "agent:db-1", 99)  # nobody is connected yet

    a, b = await alert_socket(alice), await alert_socket(bob)
    for communicator in (a, b):
        [opened] = (await communicator.receive_json_from(timeout=EVENT_TIMEOUT_S))["alerts"]
        assert (opened["subject"], opened["state"], opened["acknowledged_by"]) == ("db-1", "firing", None)
    await b.send_json_to({"type": "ack", "id": opened["id"]})
    for communicator in (a, b):
        frame = await communicator.receive_json_from(timeout=EVENT_TIMEOUT_S)
        assert (frame["event"], frame["alert"]["acknowledged_by"]) == ("acknowledged", "bob")
    await a.disconnect()
    await b.disconnect()


def test_pending_for_duration_then_firing_then_resolved_with_events(alice, transactional_db):
    rule = make_rule(alice, for_seconds=10, recovery_threshold=40)
    evaluator = Evaluator(AGENT_ALERT_METRICS)
    t = time.time()
    fire(evaluator, "agent:a", 60, t)
    fire(evaluator, "agent:a", 60, t + 5)
    assert not Alert.objects.exists()  # pending lives in memory until it fires
    fire(evaluator, "agent:a", 60, t + 10)
    fire(evaluator, "agent:a", 45, t + 11)  # below 50, above the recovery threshold: still firing
    assert Alert.objects.get().state == "firing"
    fire(evaluator, "agent:a", 30, t + 12)
    alert = Alert.objects.get()
    assert (alert.rule, alert.state, alert.value) == (rule, "resolved", 30)
    assert list(AlertEvent.objects.order_by("created_at").values_list("kind", flat=True)) == ["firing", "resolved"]


def test_a_restarted_evaluator_resolves_what_fired_before(alice, transactional_db):
    make_rule(alice)
    fire(Evaluator(AGENT_ALERT_METRICS), "agent:a", 90)
    fire(Evaluator(AGENT_ALERT_METRICS), "agent:a", 10)  # a new process: the firing state comes from the database
    assert Alert.objects.get().state == "resolved"


def test_scope_by_host_and_tag_applies_to_the_agent_of_that_name(alice, transactional_db):
    prod = Tag.objects.create(name="prod")
    web = Host.objects.create(name="web-1", address="127.0.0.1")
    web.tags.add(prod)
    make_rule(alice, name="tagged", scope="tag", tag=prod)
    make_rule(alice, name="other host", scope="host", host=Host.objects.create(name="db-1", address="127.0.0.1"))
    evaluator = Evaluator(AGENT_ALERT_METRICS)
    fire(evaluator, "agent:web-1", 90)
    fire(evaluator, "agent:cache-1", 90)
    assert list(Alert.objects.values_list("rule__name", "subject_label")) == [("tagged", "web-1")]


def test_a_maintenance_window_silences_the_host(alice, transactional_db):
    web = Host.objects.create(name="web-1", address="127.0.0.1")
    make_rule(alice)
    now = timezone.now()
    MaintenanceWindow.objects.create(host=web, starts_at=now - timedelta(minutes=1), ends_at=now + timedelta(hours=1))
    fire(Evaluator(AGENT_ALERT_METRICS), "agent:web-1", 90)
    assert not Alert.objects.exists()


def test_notifications_are_sent_and_each_attempt_is_recorded(alice, transactional_db):
    make_rule(alice)
    with targets.webhook_receiver() as (url, received):
        NotificationTarget.objects.create(user=alice, url=url)
        dead = NotificationTarget.objects.create(user=alice, url=f"json://127.0.0.1:{targets.closed_port()}/x")
        fire(Evaluator(AGENT_ALERT_METRICS), "agent:web-1", 90)
        sent, failing = Notification.objects.order_by("target_id")
        tasks.send_notification(sent.pk)
        body = received.get(timeout=EVENT_TIMEOUT_S)
    assert body["title"].startswith("[Warning] cpu high FIRING on web-1")
    sent.refresh_from_db()
    assert (sent.status, sent.attempts, sent.attempt_log.get().ok) == ("sent", 1, True)

    tasks.send_notification(failing.pk)  # fails: recorded, retried later with back-off
    failing.refresh_from_db()
    assert (failing.target, failing.status, failing.attempts) == (dead, "pending", 1)
    assert failing.last_error == "A Connection error occurred sending JSON notification to 127.0.0.1."
    assert failing.next_attempt_at > timezone.now() + timedelta(seconds=3)
    Notification.objects.filter(pk=failing.pk).update(attempts=tasks.NOTIFY_ATTEMPTS - 1)
    tasks.send_notification(failing.pk)
    failing.refresh_from_db()
    assert (failing.status, failing.attempt_log.count()) == ("failed", 2)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"scope": "host"}, "Choose the host this rule watches."),
        ({"scope": "tag"}, "Choose the tag of the hosts this rule watches."),
        ({"recovery_threshold": 60}, "recovery threshold cannot be above the threshold"),
        ({"threshold": 150}, "A percentage threshold is from 0 to 100."),
    ],
)
def test_invalid_rules_are_rejected_in_admin(transactional_db, fields, message):
    root = get_user_model().objects.create_superuser("root", password="pw-for-tests-only")
    client = Client()
    client.force_login(root)
    data = {"name": "r", "enabled": "on", "scope": "all", "metric": "cpu_percent", "comparison": ">",
            "threshold": "50", "for_seconds": "0", "severity": "warning", **fields}  # fmt: skip
    response = client.post("/admin/alerts/alertrule/add/", data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not AlertRule.objects.exists()


def test_transitions_while_the_database_is_away_are_recorded_in_order_with_their_moments_once_it_answers(
    alice, monkeypatch
):
    make_rule(alice)
    evaluator, refused = Evaluator(AGENT_ALERT_METRICS), []

    def database_away(transitions):
        refused.append(len(transitions))  # the seam to the database: it does not answer
        raise OperationalError("could not connect to server: Connection refused")

    t = time.time()
    evaluator.reload_if_stale(t)  # rules loaded before the outage
    monkeypatch.setattr(evaluator_module, "record", database_away)
    for value, at in [(90, t), (10, t + 5)]:  # fires, then resolves, while nothing can be written
        with pytest.raises(OperationalError):
            fire(evaluator, "agent:web-1", value, at)
    assert refused == [1, 2]
    monkeypatch.undo()
    fire(evaluator, "agent:web-1", 12, t + 6)  # the next reading, the database back
    events = list(AlertEvent.objects.order_by("created_at").values_list("kind", "created_at"))
    assert events == [("firing", datetime.fromtimestamp(t, UTC)), ("resolved", datetime.fromtimestamp(t + 5, UTC))]
    assert evaluator.unrecorded == []
