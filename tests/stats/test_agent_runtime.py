"""The agent keeps what Redis could not take and sends it, in order, when Redis answers again."""

import json

import pytest
import redis

from netmon_agent import keys
from netmon_agent.runtime import Agent, CredentialsRefused
from tests.servers import private_redis


class Counting:
    def __init__(self) -> None:
        self.seq = 0

    def sample(self) -> dict:
        self.seq += 1
        return {"type": "stats", "host": "edge-1", "ts": 1000.0 + self.seq, "seq": self.seq}


def test_frames_sent_while_redis_is_down_arrive_in_order_once_it_is_back():
    with private_redis() as server:
        client = redis.Redis.from_url(server.url, socket_timeout=1, socket_connect_timeout=1)
        agent = Agent(client, "edge-1", prefix="p", sampler=Counting())
        agent.claim()
        agent.tick()
        server.kill()  # a Redis restart, empty (no persistence)
        agent.tick()
        agent.tick()
        assert len(agent.unsent) == 2
        server.start()
        agent.tick()
        assert not agent.unsent
        entries = client.xrange(keys.frames_key("p", "edge-1"))
        assert [json.loads(fields[keys.FRAME_FIELD.encode()])["seq"] for _, fields in entries] == [2, 3, 4]
        assert client.get(keys.lease_key("p", "edge-1")) == agent.instance.encode()  # the lease is back too


def test_an_agent_refused_by_a_redis_that_lost_its_users_keeps_its_frames_until_let_in_again():
    with private_redis() as server:
        admin = redis.Redis.from_url(server.url)
        rules = ["on", ">secret", "~p:agent:edge-1:*", "-@all", "+xadd", "+set", "+get", "+ping"]
        admin.execute_command("ACL", "SETUSER", "agent-1", *rules)
        client = redis.Redis.from_url(f"redis://agent-1:secret@127.0.0.1:{server.port}/0", socket_timeout=1)
        agent = Agent(client, "edge-1", prefix="p", sampler=Counting())
        agent.claim()
        agent.tick()
        admin.execute_command("ACL", "DELUSER", "agent-1")  # as after a restart without persistence
        agent.tick()
        agent.tick()
        assert len(agent.unsent) == 2  # refused, within the grace period: kept
        admin.execute_command("ACL", "SETUSER", "agent-1", *rules)  # the ingest restores it
        agent.tick()
        entries = admin.xrange(keys.frames_key("p", "edge-1"))
        assert [json.loads(fields[keys.FRAME_FIELD.encode()])["seq"] for _, fields in entries] == [1, 2, 3, 4]


def test_an_agent_refused_past_the_grace_period_stops():
    with private_redis() as server:
        client = redis.Redis.from_url(f"redis://nobody:wrong@127.0.0.1:{server.port}/0", socket_timeout=1)
        agent = Agent(client, "edge-1", prefix="p", sampler=Counting(), refused_grace_s=0)
        with pytest.raises(CredentialsRefused, match="refused the credentials of agent 'edge-1'"):
            agent.claim()
