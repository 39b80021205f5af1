"""Deleting what each tier keeps no longer: by age, and by size (a Celery task every 10 minutes)."""

from django.conf import settings

from stats.history import blocks, sql, tiers
from stats.models import Block, HourBlock, MinuteBlock, RawBlock

MODELS = {"raw": RawBlock, "minute": MinuteBlock, "hour": HourBlock}
# What a block costs beyond its data, in the table and its indexes (row header, key,
# index entries, page slack): 3 days of 10 hosts from bench/data, after VACUUM, measured
# 171 (raw) and 241 (minute) bytes a block on SQLite, 158 and 147 on PostgreSQL.
BLOCK_OVERHEAD = 160
MB = 1_000_000


def prune(now: float) -> dict[str, int]:
    """Delete, per tier, the blocks older than its retention, then the oldest spans over its size limit.

    A block is deleted by age once every second of its span is older than the
    retention, so nothing younger than that limit is removed. Returns blocks per tier.
    """
    deleted = {}
    for tier in tiers.configured():
        model = MODELS[tier.name]
        cutoff = blocks.span_start(int(now) - tier.retention, tier.name)  # spans before it ended in time
        deleted[tier.name] = _delete_before(model, cutoff)
        limit = settings.HISTORY_MAX_MB.get(tier.name, 0) * MB
        if limit and stored_bytes(model) > limit:
            deleted[tier.name] += _delete_before(model, _oldest_kept_under(model, tier.name, limit))
    return deleted


def stored_bytes(model: type[Block]) -> int:
    """What the tier takes: its blocks' data plus the per-block overhead."""
    table = sql.quoted(model._meta.db_table)
    [(data, count)] = list(sql.rows(f"SELECT COALESCE(SUM(LENGTH(data)), 0), COUNT(*) FROM {table}", []))
    return int(data) + count * BLOCK_OVERHEAD


def _oldest_kept_under(model: type[Block], tier: str, limit: int) -> int | None:
    """The start of the oldest span that can stay with the tier at most `limit` bytes; None: all can."""
    span = blocks.SPANS[tier]
    table = sql.quoted(model._meta.db_table)
    per_span = list(
        sql.rows(
            f"SELECT start / {span} * {span} AS span, SUM(LENGTH(data)) + COUNT(*) * {BLOCK_OVERHEAD} "
            f"FROM {table} GROUP BY span ORDER BY span DESC",
            [],
        )
    )
    kept = 0
    for span_start, size in per_span:  # newest first: keep spans while they fit
        kept += int(size)
        if kept > limit:
            return span_start + span
    return None


def _delete_before(model: type[Block], cutoff: int | None) -> int:
    if cutoff is None:
        return 0
    return model.objects.filter(start__lt=cutoff).delete()[0]
