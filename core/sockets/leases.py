"""What this process's open sockets hold in Redis (a place under a user's cap, a seat in a chat
room), as leases it keeps renewing, so that the holdings of a process that died end by themselves.

A holding is a member of a sorted set scored by when its lease ends. Readers count
only members whose lease has not ended. Every RENEW_EVERY_S each process extends the
leases of what it still holds, and puts them back after a Redis restart emptied it.

Each process also lists what it holds under its own name (`OWNER`), so that whoever
sees it die (`manage.py serve`, its parent) frees its holdings at once
(`release_owner`) instead of after LEASE_S.
"""

import asyncio
import contextlib
import json
import logging
import os
import socket
import time
from collections import defaultdict

import redis
from django.conf import settings

from core.per_loop import per_loop
from core.redis_io.batches import Batches
from core.redis_io.redis_clients import async_redis, sync_redis
from core.supervision import supervised

logger = logging.getLogger(__name__)

LEASE_S = 60.0
RENEW_EVERY_S = 20.0


def owner_name(pid: int) -> str:
    """The name a process lists its holdings under: its host and process id."""
    return f"{socket.gethostname()}:{pid}"


OWNER = owner_name(os.getpid())


def owner_key(owner: str) -> str:
    return f"{settings.REDIS_PREFIX}:leases:owner:{owner}"


def _entry(key: str, member: str) -> str:
    return json.dumps([key, member])


# Drop ended leases; hold `member` if fewer than ARGV[2] are held, and list it under its
# owner (KEYS[2]). Atomic: two processes taking the last place at once cannot both get it.
TAKE = """
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[2]) then return 0 end
redis.call('ZADD', KEYS[1], ARGV[3], ARGV[4])
redis.call('EXPIRE', KEYS[1], ARGV[5])
redis.call('SADD', KEYS[2], ARGV[6])
redis.call('EXPIRE', KEYS[2], ARGV[5])
return 1
"""


class _Holdings:
    """What the sockets on one event loop hold, and the task renewing it.

    Takes and removals that arrive together go to Redis in one pipeline (core.redis_io.batches):
    in a storm of handshakes, one round trip each took about 8 % of the web processes' samples.
    """

    def __init__(self) -> None:
        self.held: set[tuple[str, str]] = set()  # (key, member)
        self.renewer = self.start_renewer()
        self.takes: Batches[tuple[str, str, int], bool] = Batches(_take_all)
        self.removals: Batches[tuple[str, str], None] = Batches(_remove_all)

    def start_renewer(self) -> asyncio.Task:
        return asyncio.get_running_loop().create_task(supervised("lease-renewer", lambda: _renew_forever(self.held)))


# Per event loop: a server has one; the tests run many, and what a finished one held goes with it.
_holdings = per_loop(_Holdings)


def _holdings_here() -> _Holdings:
    holdings = _holdings()
    if holdings.renewer.done():  # cancelled (supervised, it ends no other way)
        holdings.renewer = holdings.start_renewer()
    return holdings


def _here() -> set[tuple[str, str]]:
    return _holdings_here().held


async def take(key: str, member: str, limit: int) -> bool:
    """Hold `member` under `key` unless `limit` members are held there already."""
    holdings = _holdings_here()
    taken = await holdings.takes.submit((key, member, limit))
    if taken:
        holdings.held.add((key, member))
    return taken


async def _take_all(takes: list[tuple[str, str, int]]) -> list[bool]:
    now, owned, ttl = time.time(), owner_key(OWNER), int(LEASE_S) + 1
    async with async_redis().pipeline(transaction=False) as pipe:
        for key, member, limit in takes:  # in order: the first to ask gets the last place
            pipe.eval(TAKE, 2, key, owned, now, limit, now + LEASE_S, member, ttl, _entry(key, member))
        return [bool(taken) for taken in await pipe.execute()]


async def hold(key: str, member: str) -> None:
    owned = owner_key(OWNER)
    async with async_redis().pipeline(transaction=False) as pipe:
        pipe.zadd(key, {member: time.time() + LEASE_S}).expire(key, int(LEASE_S) + 1)
        await pipe.sadd(owned, _entry(key, member)).expire(owned, int(LEASE_S) + 1).execute()
    _here().add((key, member))


async def release(key: str, member: str) -> None:
    held_here = _here()
    if (key, member) not in held_here:
        return
    held_here.discard((key, member))
    await _remove(key, member)


async def held(key: str) -> list[str]:
    """The members under `key` whose lease has not ended, held by any process."""
    return [member.decode() for member in await async_redis().zrangebyscore(key, time.time(), "+inf")]


def held_now(keys: list[str]) -> list[list[str]]:
    """`held` for several keys in one round trip, from synchronous code (a page view)."""
    pipe = sync_redis().pipeline(transaction=False)
    now = time.time()
    for key in keys:
        pipe.zrangebyscore(key, now, "+inf")
    return [[member.decode() for member in found] for found in pipe.execute()]


async def renew(held: set[tuple[str, str]] | None = None) -> None:
    """Extend the leases of what this loop holds (and hold it again after a Redis restart)."""
    held = _here() if held is None else held
    if not held:
        return
    renewing = list(held)
    until, owned, ttl = time.time() + LEASE_S, owner_key(OWNER), int(LEASE_S) + 1
    members_by_key: dict[str, list[str]] = defaultdict(list)
    for key, member in renewing:
        members_by_key[key].append(member)
    # A few commands a key, not a few a lease: 1,000 sockets of one user took a web process
    # 57 ms of CPU to renew one by one (3,001 commands), its event loop stalled meanwhile.
    async with async_redis().pipeline(transaction=False) as pipe:
        for key, members in members_by_key.items():
            pipe.zadd(key, dict.fromkeys(members, until)).expire(key, ttl)
        pipe.sadd(owned, *(_entry(key, member) for key, member in renewing))
        await pipe.expire(owned, ttl).execute()
    # A socket that closed while the renewal was on its way may have had its release
    # overtaken by it, and would hold its place for another LEASE_S: released again.
    for key, member in renewing:
        if (key, member) not in held:
            await _remove(key, member)


async def _remove(key: str, member: str) -> None:
    with contextlib.suppress(redis.RedisError):  # its lease ends by itself
        await _holdings_here().removals.submit((key, member))


async def _remove_all(removals: list[tuple[str, str]]) -> list[None]:
    owned = owner_key(OWNER)
    async with async_redis().pipeline(transaction=False) as pipe:
        for key, member in removals:
            pipe.zrem(key, member)
        await pipe.srem(owned, *(_entry(key, member) for key, member in removals)).execute()
    return [None] * len(removals)


async def _renew_forever(held: set[tuple[str, str]]) -> None:
    while True:
        await asyncio.sleep(RENEW_EVERY_S)
        try:
            await renew(held)
        except redis.RedisError as error:
            logger.warning("leases not renewed (%s: %s); trying again", type(error).__name__, error)


def release_owner(owner: str) -> int:
    """Free at once what a process that died held (its parent saw it die); returns how many."""
    client = sync_redis()
    entries = [json.loads(entry) for entry in client.smembers(owner_key(owner))]
    pipe = client.pipeline(transaction=False)
    for key, member in entries:
        pipe.zrem(key, member)
    pipe.delete(owner_key(owner)).execute()
    return len(entries)
