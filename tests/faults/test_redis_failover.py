"""Redis Sentinel: the master killed under running web processes, the ingest, an agent, beat and
workers that know Redis only through the sentinels; a replica is promoted, and the channel layer,
the broker, the agent and the dashboards follow it."""

import time
from datetime import UTC, datetime

import pytest
import redis
import redis.sentinel
from channels.db import database_sync_to_async

from bench.common import session_cookie
from monitor.models import Check, CheckResult, Host, ResultStatus
from tests import processes, targets
from tests.faults.pages import Page, checked_after, link, live_from
from tests.servers import free_port, sentinels, wait_for
from tests.waits import EVENT_TIMEOUT_S

pytestmark = pytest.mark.pipeline


def checks_of(port: int) -> tuple[Host, list[Check]]:
    host = Host.objects.create(name="failover", address="127.0.0.1")
    return host, [Check.objects.create(host=host, kind="tcp", port=port, interval_s=1, timeout_s=1) for _ in range(2)]


def each_ran_since(checks: list[Check], moment: float) -> bool:
    since = datetime.fromtimestamp(moment, UTC)
    ran = CheckResult.objects.filter(started_at__gt=since, status=ResultStatus.UP)
    return set(ran.values_list("host_check_id", flat=True)) == {c.id for c in checks}


async def test_a_failover_is_followed_by_the_broker_the_channel_layer_the_agent_and_the_dashboards(alice, tmp_path):
    cookie = await database_sync_to_async(session_cookie)(alice)
    listener = targets.Listener()
    host, checks = await database_sync_to_async(checks_of)(listener.port)
    with sentinels() as redis_set:
        env = redis_set.env()
        port, agent = free_port(), processes.agent_name("failover")
        agent_url = await database_sync_to_async(processes.add_agent)(agent, **env)  # its user, on the master
        with (
            processes.together(
                processes.serve(port, 2, **env), processes.ingest(**env), processes.checking(tmp_path, **env)
            ),
            processes.agent(agent, redis_url=agent_url, **env),
        ):
            page = Page(port, cookie)
            await page.open()
            await page.frames([checked_after(host.id, time.time()), live_from(agent, time.time())], 30)

            redis_set.master.kill()
            killed = time.time()
            await page.frame(link(False), EVENT_TIMEOUT_S)  # the page says its data stopped
            await database_sync_to_async(wait_for)(redis_set.promoted, 30, "the sentinels' failover")
            promoted = time.time()
            # Every process found the new master: checks run again and their results reach the page
            # through the channel layer; the ingest made the agent's user there (users are not
            # replicated), and the agent's frames come through again.
            await page.frames([link(True), checked_after(host.id, promoted), live_from(agent, promoted)], 30)
            shown = time.time()
            await database_sync_to_async(wait_for)(lambda: each_ran_since(checks, promoted), 30, "every check again")
    listener.close()
    assert shown - killed < 30


def test_the_sentinel_user_the_parts_are_given_finds_the_master_and_nothing_more():
    with sentinels() as redis_set:
        env = redis_set.env()
        login = {"username": env["REDIS_SENTINEL_USER"], "password": env["REDIS_SENTINEL_PASSWORD"]}
        found = redis.sentinel.Sentinel(
            [("127.0.0.1", port) for port in redis_set.ports], sentinel_kwargs={**login, "socket_timeout": 1}
        )
        assert found.discover_master(redis_set.NAME) == ("127.0.0.1", redis_set.master.port)
        assert found.discover_slaves(redis_set.NAME) == [("127.0.0.1", redis_set.replica.port)]
        as_part = redis.Redis(port=redis_set.ports[0], socket_timeout=1, **login)
        refused = [
            ("SENTINEL", "FAILOVER", redis_set.NAME),
            ("SENTINEL", "SET", redis_set.NAME, "quorum", "1"),
            ("SENTINEL", "REMOVE", redis_set.NAME),
            ("SENTINEL", "MONITOR", "elsewhere", "127.0.0.1", "1", "1"),
            ("SENTINEL", "RESET", "*"),
            ("SENTINEL", "CONFIG", "SET", "resolve-hostnames", "yes"),
            ("SENTINEL", "SIMULATE-FAILURE", "crash-after-election"),
            ("ACL", "SETUSER", "intruder", "on", ">pw", "+@all"),
            ("SHUTDOWN", "NOSAVE"),
        ]
        for command in refused:
            with pytest.raises(redis.exceptions.NoPermissionError):
                as_part.execute_command(*command)
        # Nothing was changed: the same master, watched with the same quorum.
        assert redis_set.master_port() == redis_set.master.port
        assert redis_set.ask(redis_set.ports[0])["quorum"] == 2
