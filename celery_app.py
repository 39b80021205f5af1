"""The Celery app and its beat schedule.

Three kinds of worker consume from it, each from queues named with REDIS_PREFIX:
- agents (`-Q <prefix>.agents -P solo`): the sampling task is broadcast, so every
  agent samples the host it runs on once per tick. One process per host keeps the
  previous counter readings that rates are computed from.
- checks workers (`-Q <prefix>.checks -P threads`): run claimed checks of monitored
  hosts, many at once on one event loop per process.
- general workers (`-Q <prefix>.tasks`): the check dispatcher and maintenance.
"""

import os
from datetime import timedelta

from celery import Celery
from kombu import Exchange, Queue
from kombu.common import Broadcast

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "NetWorkMonitor.settings")

from django.conf import settings

app = Celery("NetWorkMonitor")
app.config_from_object("django.conf:settings", namespace="CELERY")

AGENT_QUEUE = f"{settings.REDIS_PREFIX}.agents"
CHECKS_QUEUE = f"{settings.REDIS_PREFIX}.checks"
# Prefixed like the rest, so that a test run never feeds tasks to another installation's workers.
TASKS_QUEUE = f"{settings.REDIS_PREFIX}.tasks"

app.conf.task_default_queue = TASKS_QUEUE
app.conf.task_queues = (Queue(TASKS_QUEUE), Queue(CHECKS_QUEUE), Broadcast(AGENT_QUEUE))
app.conf.task_routes = {
    "monitor.run_checks": {"queue": CHECKS_QUEUE},
    "stats.sample": {
        "queue": AGENT_QUEUE,
        "exchange": AGENT_QUEUE,
        # Celery does not declare a Broadcast queue's exchange when publishing, and
        # kombu's Redis transport then takes it for a direct exchange and routes the
        # tick nowhere: declare it as fanout on every send.
        "declare": [Exchange(AGENT_QUEUE, type="fanout")],
    },
}
app.conf.beat_schedule = {
    "sample-every-agent": {
        "task": "stats.sample",
        "schedule": timedelta(seconds=settings.SAMPLE_INTERVAL),
        # A tick that waited longer than one interval is stale: drop it rather
        # than let a stalled agent replay a burst of old ticks.
        "options": {"expires": settings.SAMPLE_INTERVAL},
    },
    "roll-up-history": {
        "task": "stats.roll_up_history",
        "schedule": timedelta(minutes=1),
        # Each run does everything outstanding: a queued second run would find nothing.
        "options": {"expires": 60},
    },
    "prune-history": {
        "task": "stats.prune_history",
        "schedule": timedelta(minutes=10),
    },
    "dispatch-checks": {
        "task": "monitor.dispatch_checks",
        "schedule": timedelta(seconds=1),
        # Claims are in the database: a skipped tick only means the next one claims more.
        "options": {"expires": 1},
    },
    "resend-pending-notifications": {
        "task": "monitor.resend_pending_notifications",
        "schedule": timedelta(seconds=10),
    },
    "prune-check-results": {
        "task": "monitor.prune_results",
        "schedule": timedelta(minutes=10),
    },
}
app.autodiscover_tasks()
