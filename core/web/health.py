"""/healthz for load balancers and orchestrators: 200 when every dependency answers and every part runs.

A part is a supervised forever loop (core.supervision): this process's own, and the
shared ones of the ingest. One that is down (failed, waiting to start again) is named
with "down", and the answer is 503.
"""

import logging

from django.db import InterfaceError, OperationalError, connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from core import supervision
from core.redis_io.redis_clients import sync_redis

logger = logging.getLogger(__name__)

# What a database that does not answer raises (stopped, unreachable, its connection lost).
DATABASE_DOWN = (OperationalError, InterfaceError)


def ping_database() -> None:
    """Raises unless the database answers a query."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


def _redis() -> None:
    sync_redis().ping()


CHECKS = {"database": ping_database, "redis": _redis}


@never_cache
@require_GET
def healthz(request):
    results, healthy = {}, True
    for name, check in CHECKS.items():
        try:
            check()
        except Exception:
            # Which part failed is public; why (addresses, credentials in a URL) goes to the log.
            logger.exception("health check of %s failed", name)
            results[name] = "error"
            healthy = False
        else:
            results[name] = "ok"
    for part in sorted(supervision.down_parts()):
        results[part] = "down"
        healthy = False
    return JsonResponse({"status": "ok" if healthy else "error", **results}, status=200 if healthy else 503)
