"""Deleting what each tier keeps no longer (a Celery task every 10 minutes)."""

from django.db.models import Min

from stats.history import tiers
from stats.models import HourRollup, MinuteRollup, RawChunk

# tier -> (model, time field, seconds a row covers at most)
TABLES = {"raw": (RawChunk, "start", 60), "minute": (MinuteRollup, "ts", 60), "hour": (HourRollup, "ts", 3600)}
# Time span deleted per statement, so that one prune never holds the write lock for long.
SPAN_PER_STATEMENT = {"raw": 600, "minute": 12 * 3600, "hour": 30 * 86_400}


def prune(now: float) -> dict[str, int]:
    """Delete the rows of each tier that lie wholly before its retention; returns rows per tier.

    A row is kept while any second it covers is within retention, so nothing younger
    than the limit is removed.
    """
    deleted = {}
    for tier in tiers.configured():
        model, field, covers = TABLES[tier.name]
        cutoff = int(now) - tier.retention - covers  # rows starting at or before it end before now - retention
        deleted[tier.name] = _delete_through(model, field, cutoff, SPAN_PER_STATEMENT[tier.name])
    return deleted


def _delete_through(model, field: str, cutoff: int, span: int) -> int:
    total = 0
    while True:
        oldest = model.objects.aggregate(oldest=Min(field))["oldest"]
        if oldest is None or oldest > cutoff:
            return total
        total += model.objects.filter(**{f"{field}__lte": min(cutoff, oldest + span)}).delete()[0]
