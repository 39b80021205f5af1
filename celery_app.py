"""The Celery app and its beat schedule.

Two kinds of worker consume from it:
- agents (`-Q <prefix>.agents -P solo`): the sampling task is broadcast, so every
  agent samples the host it runs on once per tick. One process per host keeps the
  previous counter readings that rates are computed from.
- general workers (`-Q celery`): maintenance such as pruning old samples.
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

app.conf.task_default_queue = "celery"
app.conf.task_queues = (Queue("celery"), Broadcast(AGENT_QUEUE))
app.conf.task_routes = {
    "stats.sample": {
        "queue": AGENT_QUEUE,
        "exchange": AGENT_QUEUE,
        # Celery does not declare a Broadcast queue's exchange when publishing, and
        # kombu's Redis transport then takes it for a direct exchange and routes the
        # tick nowhere: declare it as fanout on every send.
        "declare": [Exchange(AGENT_QUEUE, type="fanout")],
    }
}
app.conf.beat_schedule = {
    "sample-every-agent": {
        "task": "stats.sample",
        "schedule": timedelta(seconds=settings.SAMPLE_INTERVAL),
        # A tick that waited longer than one interval is stale: drop it rather
        # than let a stalled agent replay a burst of old ticks.
        "options": {"expires": settings.SAMPLE_INTERVAL},
    },
    "prune-samples": {
        "task": "stats.prune_samples",
        "schedule": timedelta(minutes=10),
    },
}
app.autodiscover_tasks()
