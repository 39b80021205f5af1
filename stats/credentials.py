"""Agent credentials: one Redis ACL user per agent, allowed exactly what an agent does.

An agent appends frames to its own stream (XADD, write-only: it cannot read them back)
and renews its own lease key (SET and GET), nothing else: no other key, not even one
beside its own, no pub/sub channel, no Celery queue, no administrative command, and no
SELECT (an ACL cannot confine a user to one database, so agents stay in database 0).
The password is shown once, when it is made. Redis and the database keep only its
SHA-256, so the ingest can make the users again after Redis restarted without them.
"""

import hashlib
import logging
import secrets
from dataclasses import dataclass
from urllib.parse import quote, urlsplit, urlunsplit

import redis
from django.conf import settings

from core.redis_io.redis_clients import acl_user_exists, sync_redis
from netmon_agent import keys
from netmon_agent.sentinels import format_address
from stats import latest, streams
from stats.models import Agent

logger = logging.getLogger(__name__)

# What an agent's connection sends: XADD to its stream, SET and GET of its lease, and
# PING for health checks. AUTH and HELLO need no grant.
STREAM_COMMANDS = ("xadd", "ping")
LEASE_COMMANDS = ("set", "get")
# Agents write in database 0: an ACL user allowed SELECT could write in every database.
AGENT_DB = 0


class AgentExists(Exception):
    pass


class UnknownAgent(Exception):
    pass


@dataclass(frozen=True)
class Credentials:
    name: str
    redis_url: str  # holds the password: shown once, never stored or logged

    def environment(self) -> dict[str, str]:
        """What the agent reads from its environment file: the URL never goes on a command line."""
        values = {"REDIS_URL": self.redis_url, "AGENT_NAME": self.name}
        if settings.REDIS_PREFIX != keys.DEFAULT_PREFIX:
            values["REDIS_PREFIX"] = settings.REDIS_PREFIX
        return values | sentinel_environment()

    def environment_file(self) -> str:
        return "".join(f"{key}={value}\n" for key, value in self.environment().items())


def sentinel_environment() -> dict[str, str]:
    """How the agent finds the master through the sentinels, when there are any."""
    if not settings.REDIS_SENTINELS:
        return {}
    values = {
        "REDIS_SENTINELS": ",".join(format_address(*sentinel) for sentinel in settings.REDIS_SENTINELS),
        "REDIS_SENTINEL_MASTER": settings.REDIS_SENTINEL_MASTER,
    }
    # The sentinels' password is the operator's to hand over (REDIS_SENTINEL_PASSWORD), never printed.
    if settings.REDIS_SENTINEL_USER:
        values["REDIS_SENTINEL_USER"] = settings.REDIS_SENTINEL_USER
    return values


def acl_rules(name: str, digest: str, redis_version: tuple[int, ...] = (7,)) -> list[str]:
    frames = keys.glob_escape(keys.frames_key(settings.REDIS_PREFIX, name))
    lease = keys.glob_escape(keys.lease_key(settings.REDIS_PREFIX, name))
    if redis_version >= (7,):
        # Each command on its one key: XADD write-only on the stream, SET and GET on the lease.
        grants = [
            f"%W~{frames}",
            *(f"+{c}" for c in STREAM_COMMANDS),
            f"(~{lease} {' '.join('+' + c for c in LEASE_COMMANDS)})",
        ]
    else:  # no selectors nor %W before 7: the same two keys, either command on either
        grants = [f"~{frames}", f"~{lease}", *(f"+{c}" for c in STREAM_COMMANDS + LEASE_COMMANDS)]
    # Redis 6.0 has no channel rules; its agents are kept off pub/sub by the commands alone.
    channels = ["resetchannels"] if redis_version >= (6, 2) else []
    return [
        "reset",  # no rights but the ones below, whatever the user had before
        "on",
        f"#{digest}",  # the password's SHA-256: Redis never sees the password itself
        *channels,  # no pub/sub channel at all
        "-@all",
        *grants,
    ]


def server_version(client: redis.Redis) -> tuple[int, ...]:
    return tuple(int(part) for part in client.info("server")["redis_version"].split(".")[:2])


def agent_url(user: str, password: str) -> str:
    """AGENT_REDIS_URL with the agent's user and password in place of any others."""
    parts = urlsplit(settings.AGENT_REDIS_URL)
    if parts.scheme not in ("redis", "rediss"):
        raise ValueError("AGENT_REDIS_URL must be a redis:// or rediss:// address that agents can reach")
    if (parts.path.strip("/") or "0") != str(AGENT_DB) or settings.REDIS_CREDENTIALS["db"] != AGENT_DB:
        raise ValueError(
            "agents write in Redis database 0 (an ACL cannot keep a user to another one, so agents may not SELECT):"
            " REDIS_URL and AGENT_REDIS_URL must use database 0; keep installations apart with REDIS_PREFIX"
        )
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    netloc = f"{quote(user, safe='')}:{quote(password, safe='')}@{host}{f':{parts.port}' if parts.port else ''}"
    return urlunsplit((parts.scheme, netloc, f"/{AGENT_DB}", "", ""))


def registered() -> list[str]:
    return sorted(streams.registered(sync_redis().smembers(streams.registry_key())))


def add(name: str, replace: bool = False) -> Credentials:
    """Make the agent's Redis user (or, with `replace`, give it a new password: the old one stops working)."""
    keys.check_name(name)
    client = sync_redis()
    known = client.sismember(streams.registry_key(), name) or Agent.objects.filter(name=name).exclude(
        password_digest=""
    )
    if not replace and known:
        raise AgentExists(f"agent {name!r} already exists: revoke it first, or pass --replace for new credentials")
    password = secrets.token_urlsafe(32)
    url = agent_url(keys.redis_user(settings.REDIS_PREFIX, name), password)  # first: it may refuse the settings
    digest = hashlib.sha256(password.encode()).hexdigest()
    Agent.objects.update_or_create(name=name, defaults={"password_digest": digest})
    create_user(client, name, digest)
    if replace:
        client.execute_command("CLIENT", "KILL", "USER", keys.redis_user(settings.REDIS_PREFIX, name))  # old password's
    return Credentials(name, url)


def create_user(client: redis.Redis, name: str, digest: str) -> None:
    user = keys.redis_user(settings.REDIS_PREFIX, name)
    client.execute_command("ACL", "SETUSER", user, *acl_rules(name, digest, server_version(client)))
    client.sadd(streams.registry_key(), name)


def revoke(name: str) -> None:
    """Delete the agent's Redis user (its connections are closed at once), its stream and its row."""
    keys.check_name(name)
    client = sync_redis()
    deleted, _ = Agent.objects.filter(name=name).delete()
    if not client.srem(streams.registry_key(), name) and not deleted:
        raise UnknownAgent(f"no agent {name!r}")
    client.acl_deluser(keys.redis_user(settings.REDIS_PREFIX, name))
    client.delete(streams.frames_key(name), streams.lease_key(name))
    latest.forget(name)


def restore(everyone: bool = False) -> list[str]:
    """Make again the users and registrations that Redis lost (a restart without persistence).

    With `everyone`, every agent's user gets today's rules too (the ingest does it once
    when it starts), so users made by an older release lose rights it no longer grants.
    Returns the names of the agents that Redis had lost.
    """
    client = sync_redis()
    users = {streams.as_text(user) for user in client.acl_users()}
    listed = streams.registered(client.smembers(streams.registry_key()))
    restored = []
    for name, digest in Agent.objects.exclude(password_digest="").values_list("name", "password_digest"):
        lost = keys.redis_user(settings.REDIS_PREFIX, name) not in users or name not in listed
        if lost or everyone:
            create_user(client, name, digest)
        if lost:
            restored.append(name)
    if restored:
        logger.warning("Redis had lost the credentials of %d agent(s); made them again: %s", len(restored), restored)
    return restored


def has_user(name: str) -> bool:
    return acl_user_exists(keys.redis_user(settings.REDIS_PREFIX, name))
