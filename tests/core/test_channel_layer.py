"""The pub/sub channel layer (core.redis_io.channel_layer): subscriptions asked for together go in one command,
and a connection that died with a restarted Redis is replaced."""

import asyncio

import pytest
import redis
from channels.layers import get_channel_layer
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from core.redis_io.channel_layer import PubSubChannelLayer
from NetWorkMonitor.channel_layer_config import channel_layer
from tests.servers import private_redis
from tests.waits import EVENT_TIMEOUT_S


async def test_groups_joined_together_are_subscribed_in_one_command_and_each_gets_its_messages():
    layer = get_channel_layer()
    shard = layer._get_layer()._shards[0]
    channels = [await layer.new_channel("test-batched.") for _ in range(20)]
    commands: list[tuple[str, ...]] = []
    subscribe = shard._pubsub.subscribe

    async def counted(*names):
        commands.append(names)
        return await subscribe(*names)

    shard._pubsub.subscribe = counted
    groups = [f"test-batched-{n}" for n in range(20)]
    await asyncio.gather(*(layer.group_add(group, channel) for group, channel in zip(groups, channels, strict=True)))
    assert len(commands) <= 2  # the first on its own, the rest together
    assert sorted(name for command in commands for name in command) == sorted(
        layer._get_layer()._get_group_channel_name(group) for group in groups
    )
    for group in groups:
        await layer.group_send(group, {"type": "test.message", "text": group})
    for group, channel in zip(groups, channels, strict=True):
        assert (await asyncio.wait_for(layer.receive(channel), EVENT_TIMEOUT_S))["text"] == group
    await asyncio.gather(
        *(layer.group_discard(group, channel) for group, channel in zip(groups, channels, strict=True))
    )


async def test_a_channel_ends_as_its_last_change_asks():
    layer = get_channel_layer()
    channel = await layer.new_channel("test-last.")
    group = "test-last-change"
    # Joined, left and joined again in one go: subscribed, as one command at a time would leave it.
    await asyncio.gather(
        layer.group_add(group, channel), layer.group_discard(group, channel), layer.group_add(group, channel)
    )
    await layer.group_send(group, {"type": "test.message", "text": "still here"})
    assert (await asyncio.wait_for(layer.receive(channel), EVENT_TIMEOUT_S))["text"] == "still here"
    await layer.group_discard(group, channel)
    shard = layer._get_layer()._shards[0]
    assert layer._get_layer()._get_group_channel_name(group) not in shard._subscribed_to


def layer_on(url: str):
    """The layer as settings configure it, on the Redis at `url`."""
    config = settings.CHANNEL_LAYERS["default"]["CONFIG"]
    return PubSubChannelLayer(**{**config, "hosts": [{**config["hosts"][0], "address": url}]})


async def sent_and_heard(sender, url: str, text: str) -> str:
    """`text` sent to a group by `sender`, as a new listener on the Redis at `url` hears it."""
    listener = layer_on(url)
    channel = await listener.new_channel("test-restart.")
    await listener.group_add("test-restart", channel)
    await sender.group_send("test-restart", {"type": "test.message", "text": text})
    heard = (await asyncio.wait_for(listener.receive(channel), EVENT_TIMEOUT_S))["text"]
    await listener.flush()
    return heard


async def test_the_first_group_message_after_redis_restarted_is_delivered():
    """A pooled connection that died with the old server is replaced, not reported as an error:
    a worker's alert or a chat message sent first after a restart is not lost."""
    with private_redis() as broker:
        sender = layer_on(broker.url)
        assert await sent_and_heard(sender, broker.url, "before") == "before"
        broker.kill()
        broker.start()  # returns once it answers, empty
        assert await sent_and_heard(sender, broker.url, "after") == "after"
        await sender.flush()


async def test_over_several_redis_servers_every_group_message_arrives_and_each_server_carries_some():
    """CHANNEL_REDIS_URLS: groups and channels spread over the servers by their names' hash, and
    two processes given the same list (a sender and a listener here) meet on the same server."""
    with private_redis() as first, private_redis() as second:
        config = channel_layer(first.url, "netmon-test-shards", [], "", {}, {}, [second.url])["CONFIG"]
        sender, listener = PubSubChannelLayer(**config), PubSubChannelLayer(**config)
        groups = [f"test-shards-{n}" for n in range(40)]
        channels = [await listener.new_channel("test-shards.") for _ in groups]
        await asyncio.gather(*(listener.group_add(g, c) for g, c in zip(groups, channels, strict=True)))
        for group in groups:
            await sender.group_send(group, {"type": "test.message", "text": group})
        for group, channel in zip(groups, channels, strict=True):
            assert (await asyncio.wait_for(listener.receive(channel), EVENT_TIMEOUT_S))["text"] == group
        subscribed = [len(redis.Redis.from_url(server.url).pubsub_channels()) for server in (first, second)]
        assert min(subscribed) > 0
        assert sum(subscribed) == 2 * len(groups)  # each group's channel and each socket's
        await sender.flush()
        await listener.flush()


@pytest.mark.parametrize(
    ("more", "sentinels", "message"),
    [
        (["http://127.0.0.1:6380"], [], "each must be a redis:// or rediss:// URL"),
        (["redis://127.0.0.1:6380"], [("127.0.0.1", 26379)], "cannot be combined with REDIS_SENTINELS"),
    ],
)
def test_more_channel_servers_are_refused_when_they_cannot_work(more, sentinels, message):
    with pytest.raises(ImproperlyConfigured, match=message):
        channel_layer("redis://127.0.0.1:6379/0", "netmon", sentinels, "netmon", {}, {}, more)
