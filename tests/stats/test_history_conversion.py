"""Migration stats 0005 converts row-per-minute history into blocks, keeping every value, and resumes.

Real tables on the database the suite runs on (SQLite, and PostgreSQL in the second
run of `make test`): the schema is taken back to stats 0003, the old tables filled
through the models of that time, then migrated forward.
"""

import random
import struct

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from stats.history import blocks, convert
from stats.history.query import stored_values
from stats.models import HourBlock, MinuteBlock, RawBlock, Series

BEFORE = [("stats", "0003_agent_stream_and_credentials")]
CONVERTING = [("stats", "0004_history_blocks")]
HOUR = 1_799_996_400  # a whole hour
NAN = float("nan")


def migrate(targets=None):
    executor = MigrationExecutor(connection)
    executor.migrate(targets or executor.loader.graph.leaf_nodes())
    executor.loader.build_graph()
    return executor.loader.project_state(targets).apps if targets else None


def fill(apps) -> dict:
    """Three series over three hours: raw minute chunks with gaps, minute and hour rows. Returns what went in."""
    rng = random.Random(5)
    model = apps.get_model
    raw, minutes, hours = {}, {}, {}
    for metric in ("cpu.percent", "net.rx_bps", "check.latency_ms"):
        series = model("stats", "Series").objects.create(source="agent:old", metric=metric)
        raw[metric], minutes[metric], hours[metric] = {}, {}, {}
        chunks = []
        for minute in range(HOUR, HOUR + 3 * 3600, 60):
            start = minute + rng.randrange(0, 10)  # chunks began at an agent's first second
            values = [NAN if rng.random() < 0.1 else round(rng.uniform(0, 1e6), 1) for _ in range(minute + 60 - start)]
            packed = struct.pack(f"<{len(values)}f", *values)
            chunks.append(model("stats", "RawChunk")(series=series, start=start, values=packed))
            for offset, value in enumerate(struct.unpack(f"<{len(values)}f", packed)):
                if value == value:
                    raw[metric][start + offset] = value
            summary = (struct.unpack("<f", struct.pack("<f", rng.uniform(0, 9)))[0], rng.uniform(0, 9), 9.5, 57)
            minutes[metric][minute] = summary
            model("stats", "MinuteRollup").objects.create(series=series, ts=minute, min=summary[0],
                                                          avg=summary[1], max=summary[2], count=summary[3])  # fmt: skip
        model("stats", "RawChunk").objects.bulk_create(chunks)
        for hour in range(HOUR, HOUR + 3 * 3600, 3600):
            hours[metric][hour] = (0.5, rng.uniform(0, 9), 9.5, 3420)
            model("stats", "HourRollup").objects.create(series=series, ts=hour, min=0.5, avg=hours[metric][hour][1],
                                                        max=9.5, count=3420)  # fmt: skip
    return {"raw": raw, "minute": minutes, "hour": hours}


def summaries(model, metric: str) -> dict[int, tuple]:
    series = Series.objects.get(source="agent:old", metric=metric)
    found = {}
    for start, data in model.objects.filter(series=series).values_list("start", "data"):
        block = blocks.decode_summaries(start, data)
        for ts, *summary in zip(*(c.tolist() for c in block.columns()), strict=True):
            found[ts] = tuple(summary)
    return found


def assert_kept(given: dict) -> None:
    for metric, values in given["raw"].items():
        series = Series.objects.get(source="agent:old", metric=metric)
        assert dict(stored_values(series.pk)) == values  # float32 to float32: exactly
        assert RawBlock.objects.filter(series=series).count() == 3  # one block per hour
    for model, tier in ((MinuteBlock, "minute"), (HourBlock, "hour")):
        for metric, expected in given[tier].items():
            assert summaries(model, metric) == expected


@pytest.mark.django_db(transaction=True)
def test_the_conversion_keeps_every_value():
    given = fill(migrate(BEFORE))
    migrate()
    assert_kept(given)


@pytest.mark.django_db(transaction=True)
def test_a_conversion_stopped_half_way_goes_on_where_it_stopped():
    given = fill(migrate(BEFORE))
    apps = migrate(CONVERTING)
    # Stopped after two spans (two hours of raw chunks): those are blocks, the rest still rows.
    assert convert.convert_all(apps, spans=2) == 2
    assert RawBlock.objects.count() == 3 * 2
    assert apps.get_model("stats", "RawChunk").objects.count() == 3 * 60

    migrate()  # the migration, run again, converts what is left
    assert_kept(given)
