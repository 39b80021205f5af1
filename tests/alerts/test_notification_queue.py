"""Targets that never answer cannot hold up another user's notification (real worker, real listeners)."""

import time

import pytest
from channels.db import database_sync_to_async

from accounts import roles
from alerts import tasks
from alerts.evaluator import Evaluator
from alerts.models import AlertEvent, Notification, NotificationTarget
from core.contracts.metrics import AGENT_ALERT_METRICS
from tests import processes, targets
from tests.alerts.test_alerts import fire, make_rule
from tests.alerts.test_pipeline import webhook_body
from tests.roles import user_with_role

pytestmark = pytest.mark.pipeline

SLOW_TARGETS = 12  # more than the worker's 8 threads: some wait for a thread to come free
BOUND_S = 30  # a caught-up notification arrives well within this, however long the slow ones ask to wait


def queue_notifications(alice, slow_port: int, url: str) -> list[int]:
    """One event for mallory's slow targets and alice's webhook, handed over slow ones first."""
    mallory = user_with_role("mallory", roles.VIEWER)
    make_rule(alice)
    fire(Evaluator(AGENT_ALERT_METRICS), "agent:web-1", 90)  # no targets yet: the event alone
    event = AlertEvent.objects.get()
    slow = [
        NotificationTarget.objects.create(user=mallory, url=f"json://127.0.0.1:{slow_port}/{n}?cto=90&rto=90")
        for n in range(SLOW_TARGETS)
    ]
    fast = NotificationTarget.objects.create(user=alice, url=url)
    ids = [Notification.objects.create(event=event, target=target).pk for target in [*slow, fast]]
    for notification_id in ids:
        tasks.send_notification.delay(notification_id)
    return ids


async def test_targets_that_never_answer_do_not_delay_another_users_notification(alice):
    with (
        targets.silent_server() as (slow_port, accepted),
        targets.webhook_receiver() as (url, received),
        processes.notifications_worker(processes.agent_name("notifications")),
    ):
        ids = await database_sync_to_async(queue_notifications)(alice, slow_port, url)
        started = time.monotonic()
        await database_sync_to_async(webhook_body)(received, "cpu high FIRING on web-1", timeout=BOUND_S)
        delivered_s = time.monotonic() - started
        assert accepted  # the slow targets were tried, and hang
    fast = await database_sync_to_async(Notification.objects.get)(pk=ids[-1])
    assert (fast.status, fast.attempts) == ("sent", 1)
    assert delivered_s < BOUND_S
