"""Every half second: stay a member, keep the leases, let go of what moved away, take what came.

Also holds the installation's lease: the process that has it does the once-per-installation
duties (telling the dashboards about the check dispatcher and the database,
stats.part_watch); when it dies another takes them within LEASE_MS.
"""

import asyncio
import logging
from collections.abc import Awaitable, Callable

from core.contracts import signals
from core.redis_io.redis_clients import async_redis, sync_redis
from stats.shards import leases, members
from stats.shards.assignment import assigned
from stats.shards.shard import Shard

logger = logging.getLogger(__name__)

STEP_S = 0.5
INSTALLATION = "@installation"  # not a valid stream name: never an agent's lease


class Coordinator:
    def __init__(
        self, shard: Shard, list_streams: Callable[[object], Awaitable[set[str]]], announce: bool = True
    ) -> None:
        self.shard = shard
        self.list_streams = list_streams
        # The agents' streams moving are told to the apps above (core.contracts.signals); others are not.
        self.announce = announce
        self.duty_token: int | None = None
        self._assigned_for: tuple[frozenset[str], frozenset[str]] | None = None
        self._assigned: set[str] = set()

    async def step(self) -> None:
        redis, me, group = async_redis(), self.shard.me, self.shard.group
        live = await members.renew(redis, me, group)
        lost = await leases.renew(redis, self.shard.held(), me, group)
        if lost:
            logger.warning("lost %d leases (this process was too slow); the next owners read them", len(lost))
            self.shard.drop_lost(lost)
        wanted = self.assigned(await self.list_streams(redis), live)
        held = set(self.shard.held())
        self.shard.release(held - wanted)
        if done := self.shard.released():
            self.tell(signals.streams_released, done)
            await leases.release(redis, done, me, group)
        if taken := await self.take(redis, wanted - held):
            self.tell(signals.streams_taken, taken)
            self.shard.add(taken)
        await self.keep_duties(redis)

    def assigned(self, streams: set[str], live: set[str]) -> set[str]:
        """This process's streams, worked out again only when the streams or the members changed:
        otherwise every stream would be hashed for every member twice a second for the same answer."""
        key = frozenset(streams), frozenset(live)
        if key != self._assigned_for:
            self._assigned_for, self._assigned = key, assigned(streams, live, self.shard.me)
        return set(self._assigned)

    async def take(self, redis, streams: set[str]) -> dict[str, int]:
        if not streams:
            return {}
        order = sorted(streams)
        async with redis.pipeline(transaction=False) as pipe:
            for stream in order:
                keys = leases.lease_key(stream, self.shard.group), leases.fence_key(stream, self.shard.group)
                pipe.eval(leases.TAKE, 2, *keys, self.shard.me, leases.LEASE_MS)
            tokens = await pipe.execute()
        return {stream: int(token) for stream, token in zip(order, tokens, strict=True) if int(token)}

    def tell(self, signal, streams) -> None:
        if self.announce:
            signals.send_logged(signal, Shard, names=sorted(streams))

    async def keep_duties(self, redis) -> None:
        me, group = self.shard.me, self.shard.group
        if self.duty_token is not None and await leases.renew(redis, {INSTALLATION: self.duty_token}, me, group):
            self.duty_token = None
        if self.duty_token is None:
            self.duty_token = await leases.take(redis, INSTALLATION, me, group)
        self.shard.leader = self.duty_token is not None

    async def run(self) -> None:
        await self.step()
        # Said once the streams free for it are its own: what arrives now is relayed and written.
        logger.info("ingest running as %s: relaying and writing the frames of %d agents", self.shard.me,
                    len(self.shard.held()))  # fmt: skip
        while True:
            await asyncio.sleep(STEP_S)
            await self.step()

    def leave(self) -> None:
        """On a clean stop, once the intake wrote what it held: everything given up at once."""
        redis, me, held, group = sync_redis(), self.shard.me, self.shard.held(), self.shard.group
        self.tell(signals.streams_released, held)
        leases.release(redis, held, me, group)
        if self.duty_token is not None:
            leases.release(redis, {INSTALLATION: self.duty_token}, me, group)
        members.leave(redis, me, group)
