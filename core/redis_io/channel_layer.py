"""channels_redis's pub/sub layer, with the subscriptions that arrive together sent as one command.

Every socket subscribes its own channel and its groups (its user's, its session's, a chat
room's) and unsubscribes them when it closes. The layer sends each as a SUBSCRIBE or
UNSUBSCRIBE of its own, one after another under one lock: in a storm of 1,000
handshakes, they took about 7 % of the web processes' samples (py-spy).
Here the changes asked for while a command is on its way go in the next one, so
`SUBSCRIBE a b c …` subscribes a hundred channels for the price of one.

It builds on the layer's internals (its shard connections, their lock and subscription
set) as channels-redis 4.3.0 has them: requirements.txt pins that version, and
tests/core/test_channel_layer.py fails if the batching stops working.

Frames sent together (the ingest's relay passes hundreds at once) go out the same way:
`group_send_many` writes their PUBLISH commands in one pipeline per shard, where the
layer would make one round trip each, one after another under the shard's lock.
"""

import asyncio
from collections import defaultdict

from channels_redis.pubsub import RedisPubSubChannelLayer, RedisPubSubLoopLayer, RedisSingleShardConnection
from channels_redis.utils import _wrap_close

from core.redis_io.batches import Batches


class BatchedShardConnection(RedisSingleShardConnection):
    def __init__(self, host, channel_layer) -> None:
        super().__init__(host, channel_layer)
        self.changes: Batches[tuple[str, bool], None] = Batches(self._change)

    async def subscribe(self, channel: str) -> None:
        await self.changes.submit((channel, True))

    async def unsubscribe(self, channel: str) -> None:
        await self.changes.submit((channel, False))

    async def _change(self, changes: list[tuple[str, bool]]) -> list[None]:
        # Each channel ends as its last change asks, as it would one command at a time.
        wanted = dict(changes)
        async with self._lock:
            self._ensure_redis()
            self._ensure_receiver()
            added = [channel for channel, on in wanted.items() if on and channel not in self._subscribed_to]
            dropped = [channel for channel, on in wanted.items() if not on and channel in self._subscribed_to]
            if added:
                await self._pubsub.subscribe(*added)
                self._subscribed_to.update(added)
            if dropped:
                await self._pubsub.unsubscribe(*dropped)
                self._subscribed_to.difference_update(dropped)
        return [None] * len(changes)

    async def publish_many(self, messages: list[tuple[str, bytes]]) -> None:
        """PUBLISH each (channel, message), in order, in one round trip."""
        async with self._lock:
            self._ensure_redis()
            async with self._redis.pipeline(transaction=False) as pipe:
                for channel, message in messages:
                    pipe.publish(channel, message)
                await pipe.execute()


class BatchedLoopLayer(RedisPubSubLoopLayer):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._shards = [BatchedShardConnection(shard.host, self) for shard in self._shards]

    async def group_send_many(self, messages: list[tuple[str, dict]]) -> None:
        """group_send of each (group, message), one pipeline per shard."""
        by_shard = defaultdict(list)
        for group, message in messages:
            channel = self._get_group_channel_name(group)
            by_shard[self._get_shard(channel)].append((channel, self.channel_layer.serialize(message)))
        await asyncio.gather(*(shard.publish_many(batch) for shard, batch in by_shard.items()))


class PubSubChannelLayer(RedisPubSubChannelLayer):
    """The layer of CHANNEL_LAYERS: one BatchedLoopLayer per event loop, as upstream has one of its own."""

    def _get_layer(self) -> BatchedLoopLayer:
        loop = asyncio.get_running_loop()
        layer = self._layers.get(loop)
        if layer is None:
            layer = self._layers[loop] = BatchedLoopLayer(*self._args, **self._kwargs, channel_layer=self)
            _wrap_close(self, loop)
        return layer

    async def group_send_many(self, messages: list[tuple[str, dict]]) -> None:
        await self._get_layer().group_send_many(messages)
