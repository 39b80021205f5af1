"""The Celery app and its beat schedule.

Four kinds of worker consume from it, each from queues named with REDIS_PREFIX:
- checks workers (`-Q <prefix>.checks -P threads`): run claimed checks of monitored
  hosts, many at once on one event loop per process.
- general workers (`-Q <prefix>.tasks`): the check dispatcher (every second) and
  status pages: short tasks that must not wait.
- a notifications worker (`-Q <prefix>.notifications -P threads`): every notification
  task (the hand-over, the attempts, the resend sweep), many at once. An attempt waits
  on someone else's server; each is cut after NOTIFY_ATTEMPT_S (alerts/notify.py:
  Celery's time limits do not apply to threads), so a target that never answers holds
  one thread that long, not the queue.
- a housekeeping worker (`-Q <prefix>.housekeeping`, one process): history rollups and
  pruning. A rollup of 288,000 port series takes most of a minute; on the general
  worker's queue it held back the dispatcher, and every check started that much late.
Agents are not Celery workers: they keep their own clock and stream frames to Redis
(netmon_agent), with credentials that reach nothing of Celery's.
"""

import os
from datetime import timedelta

from celery import Celery
from kombu import Queue

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "NetWorkMonitor.settings")

from django.conf import settings

app = Celery("NetWorkMonitor")
app.config_from_object("django.conf:settings", namespace="CELERY")

CHECKS_QUEUE = f"{settings.REDIS_PREFIX}.checks"
# Prefixed like the rest, so that a test run never feeds tasks to another installation's workers.
TASKS_QUEUE = f"{settings.REDIS_PREFIX}.tasks"
HOUSEKEEPING_QUEUE = f"{settings.REDIS_PREFIX}.housekeeping"
NOTIFICATIONS_QUEUE = f"{settings.REDIS_PREFIX}.notifications"
NOTIFICATION_TASKS = [
    "alerts.send_event_notifications",
    "alerts.send_notification",
    "alerts.resend_pending_notifications",
]
HOUSEKEEPING_TASKS = [
    "stats.roll_up_history",
    "stats.prune_history",
    "monitor.prune_results",
    "status.prune_uptime",
    "events.prune_events",
    "flows.roll_up",
    "flows.prune",
]

app.conf.task_default_queue = TASKS_QUEUE
app.conf.task_queues = (Queue(TASKS_QUEUE), Queue(CHECKS_QUEUE), Queue(HOUSEKEEPING_QUEUE), Queue(NOTIFICATIONS_QUEUE))
app.conf.task_routes = {
    "monitor.run_checks": {"queue": CHECKS_QUEUE},
    "monitor.try_checks": {"queue": CHECKS_QUEUE},  # "Test now": where every check runs
    **{name: {"queue": HOUSEKEEPING_QUEUE} for name in HOUSEKEEPING_TASKS},
    **{name: {"queue": NOTIFICATIONS_QUEUE} for name in NOTIFICATION_TASKS},
}


def every(task: str, seconds: float, expires: float | None = None) -> dict:
    """A beat entry; a run still queued after `expires` seconds is dropped."""
    entry = {"task": task, "schedule": timedelta(seconds=seconds)}
    if expires is not None:
        entry["options"] = {"expires": expires}
    return entry


app.conf.beat_schedule = {
    # Each run does everything outstanding: a queued second run would find nothing.
    "roll-up-history": every("stats.roll_up_history", 60, expires=60),
    "prune-history": every("stats.prune_history", 600),
    # Claims are in the database: a skipped tick only means the next one claims more.
    "dispatch-checks": every("monitor.dispatch_checks", 1, expires=1),
    "resend-pending-notifications": every("alerts.resend_pending_notifications", 10),
    # Escalation steps whose queued task was lost; each step claims its row, so none runs twice.
    "escalate-due": every("alerts.escalate_due", 5, expires=5),
    # Directory accounts removed or moved out of every role are cut off within the bound, idle pages too.
    "recheck-directory-sessions": every(
        "accounts.recheck_directory_sessions", max(60.0, settings.DIRECTORY_RECHECK_MINUTES * 60), expires=60
    ),
    "prune-check-results": every("monitor.prune_results", 600),
    # Uptime figures and the day bars move on even when no state changes.
    "refresh-status-pages": every("status.refresh_pages", 60, expires=60),
    "prune-uptime": every("status.prune_uptime", 3600),
    "prune-events": every("events.prune_events", 600),
    # Flow tables: each ended hour summed once; a queued second run would find nothing.
    "roll-up-flows": every("flows.roll_up", 300, expires=300),
    "prune-flows": every("flows.prune", 3600),
    # Each plan says how often it runs; this only looks for the ones that are due.
    "rediscover": every("discovery.rediscover", 60, expires=60),
}
app.autodiscover_tasks()
