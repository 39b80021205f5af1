"""Raw blocks within one minute, minute blocks within one hour, from where the rollups have got to.

The minute rollup now reads only the raw blocks starting in the minutes it rolls up, and
the hour rollup only the minute blocks starting in its hour. Blocks written before may
cross those bounds: those not rolled up yet are cut at them here, every value kept.
"""

from collections import defaultdict

import numpy as np
from django.db import migrations

from stats.history import blocks, bulk, minute_blocks, sql


def _by_series(model, low: int) -> dict[int, list[tuple[int, bytes]]]:
    found = defaultdict(list)
    for series, start, data in sql.blocks(model, low, 2**31):
        found[series].append((start, data))
    return found


def _replace(model, series: int, old: list[tuple[int, bytes]], new: list[tuple[int, int, bytes]]) -> None:
    sql.delete(model, [(series, start) for start, _ in old])
    sql.upsert(model, new)


def cut_raw_blocks(apps, schema_editor) -> None:
    cursors = dict(apps.get_model("stats", "RollupCursor").objects.values_list("tier", "done_until"))
    raw_block, minute_block = apps.get_model("stats", "RawBlock"), apps.get_model("stats", "MinuteBlock")
    if cursors.get("minute"):  # the hour still being rolled up and what follows it
        for series, stored in _by_series(raw_block, blocks.span_start(cursors["minute"], "raw")).items():
            values = blocks.decode_merged(stored)
            new = [(series, first, blocks.encode_values(first, piece)) for first, piece in _minutes(values)]
            _replace(raw_block, series, stored, new)
    if cursors.get("hour"):  # the day the hour tier is in and what follows it
        for series, stored in _by_series(minute_block, blocks.span_start(cursors["hour"], "minute")).items():
            found = blocks.merge_stored_summaries(stored)
            _replace(minute_block, series, stored, minute_blocks.rows(bulk.Buckets.of(series, found), 0))


def _minutes(values: blocks.Values):
    """(first second, values) of each minute that has values."""
    for _, piece in blocks.split(values, "raw"):
        minutes = piece.ts - piece.ts % blocks.RAW_PIECE
        cuts = np.flatnonzero(np.diff(minutes)) + 1
        for indexes in np.split(np.arange(len(piece)), cuts):
            part = blocks.take(piece, indexes)
            yield int(part.ts[0]), part


class Migration(migrations.Migration):
    dependencies = [("stats", "0008_agent_ingest_fence")]

    operations = [migrations.RunPython(cut_raw_blocks, migrations.RunPython.noop)]
