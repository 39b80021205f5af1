"""The channel layer's settings: one Redis, the master that Redis Sentinel names, or several Redis servers."""

from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff


def channel_layer(
    url: str,
    prefix: str,
    sentinels: list,
    master: str,
    sentinel_options: dict,
    credentials: dict,
    more_urls: list[str] = (),
) -> dict:
    """CHANNEL_LAYERS["default"] for this Redis (or these sentinels), and `more_urls` beside it.

    With more servers, channels-redis spreads channels and groups over all of them by a hash
    of their names: a group's messages all go through one server, and every process must be
    given the same list in the same order (CHANNEL_REDIS_URLS).
    """
    # The pub/sub layer publishes a group message once per Redis round trip and each daphne
    # process fans it out to its own sockets: the cheap path for one stats frame going to
    # hundreds of dashboards. Subscriptions asked for together are sent together
    # (core.redis_io.channel_layer).
    options = {
        # redis-py 8 defaults to a 5 s read timeout, which tears down idle subscriptions
        # (channels_redis issue 422).
        "socket_timeout": None,
        "socket_connect_timeout": 5,
        "socket_keepalive": True,
        "health_check_interval": 30,
        "max_connections": 50,
        # Once more on a fresh connection when a pooled one turns out dead: without it, the
        # first group message sent after Redis restarted (from a worker's publisher, or a web
        # process) was lost with "Connection closed by server".
        "retry": Retry(NoBackoff(), 1),
    }
    if sentinels and more_urls:
        raise ImproperlyConfigured("CHANNEL_REDIS_URLS cannot be combined with REDIS_SENTINELS")
    for extra in more_urls:
        if urlsplit(extra).scheme not in ("redis", "rediss") or not urlsplit(extra).hostname:
            raise ImproperlyConfigured(f"CHANNEL_REDIS_URLS holds {extra!r}: each must be a redis:// or rediss:// URL")
    if sentinels:
        hosts = [{"sentinels": sentinels, "master_name": master, "sentinel_kwargs": sentinel_options, **credentials}]
    else:
        hosts = [{"address": address} for address in (url, *more_urls)]
    return {
        "BACKEND": "core.redis_io.channel_layer.PubSubChannelLayer",
        "CONFIG": {"prefix": prefix, "hosts": [host | options for host in hosts]},
    }
