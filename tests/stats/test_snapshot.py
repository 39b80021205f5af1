"""What a new /ws/stats/ socket is sent first (stats.snapshot)."""

import json

import pytest

from core.contracts.protocol import FRAMES
from core.contracts.protocol.sockets import STATS
from core.redis_io.redis_clients import async_redis
from stats import latest, streams
from stats.snapshot import KEPT_TYPES, Snapshot


def stats_frame(host: str, seq: int) -> str:
    return json.dumps({"type": "stats", "host": host, "seq": seq, "ts": 1.0 + seq})


def test_it_keeps_each_agents_newest_frame_who_is_offline_and_the_parts():
    snapshot = Snapshot()
    offline_b = streams.state_frame("b", online=False, since=5.0)
    for text in [
        stats_frame("a", 1),
        stats_frame("b", 1),
        stats_frame("a", 2),
        offline_b,
        streams.state_frame("c", online=False, since=6.0),
        streams.state_frame("c", online=True, since=7.0),  # back: no longer offline
        '{"type": "database", "available": false, "since": 3.0}',
        '{"type": "database", "available": true, "since": 4.0}',
        '{"type": "hosts", "hosts": []}',  # the grid's own: fetched by the page, not kept
        "{not json",
        "[1, 2]",
    ]:
        snapshot.apply(text)
    assert snapshot.frames() == [
        stats_frame("a", 2),
        stats_frame("b", 1),
        offline_b,
        '{"type": "database", "available": true, "since": 4.0}',
    ]


def test_it_keeps_the_types_the_catalogue_says_a_new_stats_socket_is_sent():
    on_connect = {t.name for t in FRAMES.values() if STATS in t.sockets and t.on_connect}
    assert on_connect == KEPT_TYPES


@pytest.fixture
async def stored_snapshot(no_latest_frames):
    yield
    await async_redis().delete(latest.parts_key())


@pytest.mark.usefixtures("stored_snapshot")
async def test_it_is_loaded_from_the_copy_in_redis_by_the_same_rule():
    await latest.remember_all({"a": stats_frame("a", 3), "b": stats_frame("b", 1)})
    await latest.mark_offline({"b": 2.0, "c": 6.0}, back=[])
    paused = '{"type": "checks_dispatch", "running": false, "since": 9.0}'
    await latest.remember_part("checks_dispatch", paused)
    await latest.remember_part("database", "{not json")  # a damaged entry is dropped, not sent

    snapshot = await Snapshot.from_redis()

    frames = snapshot.frames()
    assert sorted(frames[:2]) == sorted([stats_frame("a", 3), stats_frame("b", 1)])
    offline = sorted(frames[2:4])
    assert offline == sorted(streams.state_frame(name, online=False, since=s) for name, s in [("b", 2.0), ("c", 6.0)])
    assert frames[4:] == [paused]
