"""Alerts end to end with real workers: a sampled metric fires and resolves; a lost hand-over is recovered."""

import queue
import time

import pytest
from channels.db import database_sync_to_async

from alerts.evaluator import Evaluator
from alerts.models import AlertRule, Notification, NotificationTarget
from celery_app import NOTIFICATIONS_QUEUE, app
from core.contracts.metrics import AGENT_ALERT_METRICS
from tests import processes, targets
from tests.alerts.test_alerts import fire, make_rule
from tests.conftest import socket
from tests.waits import EVENT_TIMEOUT_S

pytestmark = [pytest.mark.pipeline, pytest.mark.usefixtures("no_latest_frames")]


async def next_alert(communicator, event: str, deadline_s: float = EVENT_TIMEOUT_S) -> dict:
    deadline = time.monotonic() + deadline_s
    while True:
        remaining = deadline - time.monotonic()
        assert remaining > 0, f"no {event} alert within {deadline_s} s"
        frame = await communicator.receive_json_from(timeout=remaining)
        if frame["type"] == "alert" and frame["event"] == event:
            return frame["alert"]


def webhook_body(received: queue.Queue, text: str, timeout: float = EVENT_TIMEOUT_S) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        body = received.get(timeout=max(0.1, deadline - time.monotonic()))
        if text in body["title"]:
            return body


async def test_a_rule_on_a_sampled_metric_fires_reaches_socket_and_webhook_then_resolves(alice, tmp_path):
    name = processes.agent_name("alerting")
    processes.register(name)
    # Memory in use is always above 0 %: the rule fires on the agent's first frame.
    rule = await database_sync_to_async(make_rule)(alice, name="memory in use", metric="mem_percent", threshold=0)
    with targets.webhook_receiver() as (url, received):
        await database_sync_to_async(NotificationTarget.objects.create)(user=alice, url=url)
        communicator = await socket("/ws/alerts/", alice)
        assert (await communicator.connect())[0]
        assert await communicator.receive_json_from(timeout=EVENT_TIMEOUT_S) == {"type": "alerts", "alerts": []}
        with (
            processes.together(processes.ingest(), processes.notifications_worker(processes.agent_name("notifier"))),
            processes.agent(name),
        ):
            fired = await next_alert(communicator, "firing")
            assert (fired["rule"], fired["subject"]) == ("memory in use", name)
            assert 0 < fired["value"] <= 100
            body = await database_sync_to_async(webhook_body)(received, f"memory in use FIRING on {name}")

            # Raise the threshold beyond any reading: within the reload period it resolves.
            await database_sync_to_async(AlertRule.objects.filter(pk=rule.pk).update)(threshold=100)
            resolved = await next_alert(communicator, "resolved")
            await database_sync_to_async(webhook_body)(received, f"memory in use resolved on {name}")
        await communicator.disconnect()
    assert resolved["id"] == fired["id"]
    assert body["type"] == "info"
    statuses = await database_sync_to_async(lambda: list(Notification.objects.values_list("status", flat=True)))()
    assert statuses == ["sent", "sent"]


def purge_notifications_queue() -> int:
    with app.connection_for_write() as connection:
        return connection.default_channel.queue_purge(NOTIFICATIONS_QUEUE) or 0


async def test_a_notification_whose_hand_over_was_lost_is_still_delivered(alice, tmp_path):
    await database_sync_to_async(make_rule)(alice, name="disk")
    with targets.webhook_receiver() as (url, received):
        await database_sync_to_async(NotificationTarget.objects.create)(user=alice, url=url)
        # The worker that would take the hand-over is gone (started, then stopped): nothing consumes the queue.
        with processes.notifications_worker(processes.agent_name("doomed")):
            pass
        await database_sync_to_async(purge_notifications_queue)()
        await database_sync_to_async(fire)(Evaluator(AGENT_ALERT_METRICS), "agent:db-1", 99)  # saved, then handed over
        # The hand-over is lost with the worker that would have taken it.
        assert await database_sync_to_async(purge_notifications_queue)() >= 1
        assert await database_sync_to_async(Notification.objects.get)(status="pending")
        with processes.together(
            processes.beat(tmp_path),
            processes.notifications_worker(processes.agent_name("restarted"), NOTIFY_RESEND_AFTER_S="1"),
        ):
            body = await database_sync_to_async(webhook_body)(received, "disk FIRING on db-1")
    assert body["message"].startswith("[Warning] disk FIRING on db-1")
    notification = await database_sync_to_async(Notification.objects.get)()
    assert (notification.status, notification.attempts) == ("sent", 1)
