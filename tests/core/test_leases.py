"""Leases in Redis for what open sockets hold: counted while renewed, gone when their process is."""

import asyncio
import time

from django.conf import settings

from core.redis_io.redis_clients import async_redis
from core.sockets import leases


def key(name: str) -> str:
    return f"{settings.REDIS_PREFIX}:test-leases:{name}"


async def test_a_place_whose_lease_ended_is_free_again():
    places = key("places")
    await async_redis().delete(places)
    # A socket of a web process that was killed: nobody renewed its lease.
    await async_redis().zadd(places, {"specific.dead!1": time.time() - 0.001})
    assert await leases.held(places) == []
    assert await leases.take(places, "specific.live!1", 1)
    assert not await leases.take(places, "specific.live!2", 1)  # the cap is 1, and one is held
    await leases.release(places, "specific.live!1")
    assert await leases.take(places, "specific.live!2", 1)
    await leases.release(places, "specific.live!2")
    assert await async_redis().zcard(places) == 0


async def test_renewal_extends_leases_and_puts_them_back_after_redis_lost_them():
    seats = key("seats")
    await async_redis().delete(seats)
    await leases.hold(seats, "specific.a!1 alice")
    first = await async_redis().zscore(seats, "specific.a!1 alice")
    await async_redis().delete(seats)  # as after a Redis restart with nothing saved
    await leases.renew()
    renewed = await async_redis().zscore(seats, "specific.a!1 alice")
    assert renewed >= first
    assert await leases.held(seats) == ["specific.a!1 alice"]
    assert 0 < await async_redis().ttl(seats) <= leases.LEASE_S + 1
    await leases.release(seats, "specific.a!1 alice")
    assert await leases.held(seats) == []


async def test_a_socket_that_closes_while_its_lease_is_renewed_does_not_keep_its_place():
    places = key("renewed-while-closing")
    await async_redis().delete(places)
    held = {(places, "specific.c!1"), (places, "specific.c!2")}
    renewal = asyncio.create_task(leases.renew(held))
    await asyncio.sleep(0)  # the renewal has listed what it renews and is on its way to Redis
    held.discard((places, "specific.c!1"))  # that socket closed; its release got to Redis first
    await renewal
    assert await leases.held(places) == ["specific.c!2"]
    await async_redis().delete(places)


async def test_what_a_process_held_is_freed_at_once_by_its_owner_name():
    places, seats = key("owned-places"), key("owned-seats")
    await async_redis().delete(places, seats, leases.owner_key(leases.OWNER))
    assert await leases.take(places, "specific.p!1", 1)
    await leases.hold(seats, "specific.p!1 alice")
    await leases.hold(seats, "specific.p!2 alice")
    await leases.release(seats, "specific.p!2 alice")  # released: no longer listed
    assert len(await async_redis().smembers(leases.owner_key(leases.OWNER))) == 2

    # As `manage.py serve` does when this process has died (sync Redis: run it off the loop).
    freed = await asyncio.to_thread(leases.release_owner, leases.OWNER)
    assert freed == 2
    assert await leases.held(places) == []
    assert await leases.held(seats) == []
    assert not await async_redis().exists(leases.owner_key(leases.OWNER))
    assert await leases.take(places, "specific.q!1", 1)  # the place is free for another socket
    await leases.release(places, "specific.q!1")
    await leases.release(places, "specific.p!1")  # this process is alive: it stops renewing them
    await leases.release(seats, "specific.p!1 alice")


async def test_places_asked_for_together_are_taken_in_one_trip_first_come_first_served():
    places = key("together")
    await async_redis().delete(places)
    members = [f"specific.storm!{n}" for n in range(10)]
    taken = await asyncio.gather(*(leases.take(places, member, 3) for member in members))
    assert taken == [True] * 3 + [False] * 7  # in the order asked: the first three get the places
    assert sorted(await leases.held(places)) == members[:3]
    owned = {member.decode() for member in await async_redis().smembers(leases.owner_key(leases.OWNER))}
    assert {leases._entry(places, member) for member in members[:3]} <= owned
    await asyncio.gather(*(leases.release(places, member) for member in members))
    assert await async_redis().zcard(places) == 0
    owned = {member.decode() for member in await async_redis().smembers(leases.owner_key(leases.OWNER))}
    assert not {leases._entry(places, member) for member in members} & owned
