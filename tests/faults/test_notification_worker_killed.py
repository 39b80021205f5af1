"""A notification worker SIGKILLed in the middle of sending: the notification is still delivered."""

import os
import signal
import time

import pytest
from channels.db import database_sync_to_async

from alerts.evaluator import Evaluator
from alerts.models import Notification, NotificationTarget
from core.contracts.metrics import AGENT_ALERT_METRICS
from tests import processes, targets
from tests.alerts.test_alerts import fire, make_rule
from tests.alerts.test_pipeline import webhook_body

pytestmark = pytest.mark.pipeline

RESEND_AFTER_S = 2
SWEEP_EVERY_S = 10  # celery_app's beat entry "resend-pending-notifications"


async def test_a_notification_whose_worker_died_mid_send_is_sent_again_by_the_sweep(alice, tmp_path):
    await database_sync_to_async(make_rule)(alice, name="disk")
    with targets.webhook_receiver(hold_first=True) as (url, received):
        await database_sync_to_async(NotificationTarget.objects.create)(user=alice, url=url)
        env = {"NOTIFY_RESEND_AFTER_S": str(RESEND_AFTER_S)}
        with processes.notifications_worker(processes.agent_name("doomed"), **env) as doomed:
            await database_sync_to_async(fire)(Evaluator(AGENT_ALERT_METRICS), "agent:db-1", 99)
            # The receiver has the request and holds its answer: the worker is mid-send.
            first = await database_sync_to_async(webhook_body)(received, "disk FIRING on db-1")
            os.kill(doomed.pid, signal.SIGKILL)
            killed = time.monotonic()
        assert (await database_sync_to_async(Notification.objects.get)()).status == "pending"
        with processes.together(
            processes.beat(tmp_path), processes.notifications_worker(processes.agent_name("restarted"), **env)
        ):
            again = await database_sync_to_async(webhook_body)(received, "disk FIRING on db-1")
        # Sent again once its claim was RESEND_AFTER_S old, at one of the sweep's first ticks:
        # well before a claim left at the default of 60 s could be (room for a busy start-up).
        assert time.monotonic() - killed < RESEND_AFTER_S + 3 * SWEEP_EVERY_S + 10
    assert again == first
    notification = await database_sync_to_async(Notification.objects.get)()
    # The killed attempt never finished, so only the delivered one is counted.
    assert (notification.status, notification.attempts, notification.last_error) == ("sent", 1, "")
