"""The parts of the sharded ingest, one at a time: assignment, leases, handover order, fencing."""

import asyncio

import pytest

from core.redis_io.redis_clients import async_redis, sync_redis
from stats import intake
from stats.models import Agent
from stats.shards import leases
from stats.shards.assignment import assigned, owner_of
from stats.shards.shard import Shard


def test_it_gives_each_stream_to_exactly_one_member_and_moves_few_when_one_joins():
    streams = [f"agent-{i}" for i in range(1000)]
    three = ["a", "b", "c"]
    shares = [assigned(streams, three, me) for me in three]
    assert sum(len(share) for share in shares) == 1000
    assert set().union(*shares) == set(streams)
    assert all(250 < len(share) < 420 for share in shares)
    moved = sum(owner_of(s, three) != owner_of(s, [*three, "d"]) for s in streams)
    assert moved < 330  # about a quarter: only what the newcomer wins


def test_a_stream_is_let_go_only_after_the_intake_then_the_relay_let_go_of_it():
    shard = Shard("me")
    shard.add({"web-1": 7})
    shard.release({"web-1"})
    assert shard.relay_view() == {"web-1"}  # still passed on while the intake writes it away
    reading, leaving, _ = shard.intake_view()
    assert (reading, leaving) == (set(), {"web-1"})
    assert shard.released() == {}
    shard.intake_released(leaving)
    assert shard.released() == {}  # the relay has not started a round since
    assert shard.relay_view() == set()
    assert shard.released() == {"web-1": 7}
    assert shard.held() == {}


@pytest.fixture
def stream():
    name = "lease-test"
    yield name
    sync_redis().delete(leases.lease_key(name), leases.fence_key(name))


def test_a_lease_is_held_by_one_at_a_time_with_a_newer_token_each_time(stream):
    async def scenario():
        redis = async_redis()
        first = await leases.take(redis, stream, "a")
        assert await leases.take(redis, stream, "b") is None
        assert await leases.renew(redis, {stream: first}, "a") == set()
        await leases.release(redis, {stream: first}, "a")
        second = await leases.take(redis, stream, "b")
        assert second > first
        assert await leases.renew(redis, {stream: first}, "a") == {stream}  # a's is gone
        await leases.release(redis, {stream: second}, "b")
        await redis.delete(leases.fence_key(stream))  # a Redis restarted without its keys
        assert await leases.take(redis, stream, "c") > second

    asyncio.run(scenario())


def frame(ts: float) -> dict:
    return {"type": "stats", "host": "fenced", "ts": ts, "mem": {"percent": 1.0}}


def test_a_write_under_an_older_token_than_the_stored_one_is_left_out(db):
    fenced_out = set()
    assert len(intake.write({"fenced": [("1-0", frame(1e9))]}, fences={"fenced": 5}, fenced_out=fenced_out)) == 1
    stale = intake.write({"fenced": [("2-0", frame(1e9 + 1))]}, fences={"fenced": 4}, fenced_out=fenced_out)
    assert stale == []
    assert fenced_out == {"fenced"}
    assert Agent.objects.get(name="fenced").stream_position == "1-0"
    assert len(intake.write({"fenced": [("2-0", frame(1e9 + 1))]}, fences={"fenced": 6}, fenced_out=set())) == 1


def test_a_stream_is_trimmed_only_to_what_is_both_written_and_relayed():
    assert intake.trim_point("1700000000005-0", "1700000000002-1") == "1700000000002-1"
    assert intake.trim_point("1700000000005-0", "1700000000009-0") == "1700000000005-0"
    assert intake.trim_point("1700000000005-0", None) is None  # not relayed yet: the next relay reads it
