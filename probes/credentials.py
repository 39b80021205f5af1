"""Probe credentials: one Redis ACL user per probe, allowed exactly what a probe does.

A probe appends results to its own stream and what its receivers take to its own datagram
stream (XADD, write-only), renews its own lease (SET,
GET), and reads its own assignments (GET, read-only): no other key, not another probe's
assignments, no pub/sub, no Celery queue, no administrative command, no SELECT. Its
password is shown once; the database keeps its SHA-256 (to make the user again after
Redis lost it) and the probe's sealing key, derived from the password (netmon_probe.sealing),
encrypted with SECRET_KEY: the password itself is not kept, so the key is kept for sealing.
"""

import hashlib
import logging
import secrets
from dataclasses import dataclass

import redis
from django.conf import settings
from django.db import transaction

from core.redis_io.redis_clients import acl_user_exists, sync_redis
from monitor.models import Site
from netmon_probe import keys, sealing
from probes.models import Probe
from stats.credentials import agent_url, sentinel_environment, server_version

logger = logging.getLogger(__name__)

STREAM_COMMANDS = ("xadd", "ping")
LEASE_COMMANDS = ("set", "get")
ASSIGNMENT_COMMANDS = ("get",)


class ProbeExists(Exception):
    pass


class UnknownProbe(Exception):
    pass


@dataclass(frozen=True)
class Credentials:
    name: str
    redis_url: str  # holds the password (and so its sealing key): shown once, never stored or logged

    def environment(self) -> dict[str, str]:
        """What the probe reads from its environment file: nothing of it goes on a command line.

        No key and no prefix: the probe derives its sealing key from the password in the URL,
        and the prefix from its Redis user's name.
        """
        return {"REDIS_URL": self.redis_url, "PROBE_NAME": self.name} | sentinel_environment()

    def environment_file(self) -> str:
        return "".join(f"{key}={value}\n" for key, value in self.environment().items())


def acl_rules(name: str, digest: str, redis_version: tuple[int, ...] = (7,)) -> list[str]:
    prefix = settings.REDIS_PREFIX
    results = keys.glob_escape(keys.results_key(prefix, name))
    datagrams = keys.glob_escape(keys.datagrams_key(prefix, name))
    lease = keys.glob_escape(keys.lease_key(prefix, name))
    assignments = keys.glob_escape(keys.assignments_key(prefix, name))
    if redis_version >= (7,):
        grants = [
            f"%W~{results}",
            f"%W~{datagrams}",
            *(f"+{c}" for c in STREAM_COMMANDS),
            f"(~{lease} {' '.join('+' + c for c in LEASE_COMMANDS)})",
            f"(%R~{assignments} {' '.join('+' + c for c in ASSIGNMENT_COMMANDS)})",
        ]
    else:  # no selectors before 7: the four keys, any of the commands on any of them
        commands = {*STREAM_COMMANDS, *LEASE_COMMANDS, *ASSIGNMENT_COMMANDS}
        grants = [f"~{results}", f"~{datagrams}", f"~{lease}", f"~{assignments}", *(f"+{c}" for c in sorted(commands))]
    channels = ["resetchannels"] if redis_version >= (6, 2) else []
    return ["reset", "on", f"#{digest}", *channels, "-@all", *grants]


def create_user(client: redis.Redis, name: str, digest: str) -> None:
    user = keys.redis_user(settings.REDIS_PREFIX, name)
    client.execute_command("ACL", "SETUSER", user, *acl_rules(name, digest, server_version(client)))


def add(name: str, site: str, replace: bool = False) -> Credentials:
    """Make the probe's Redis user and sealing key (with `replace`, new ones: the old stop working)."""
    keys.check_name(name)
    if not replace and Probe.objects.filter(name=name).exists():
        raise ProbeExists(f"probe {name!r} already exists: revoke it first, or pass --replace for new credentials")
    password = secrets.token_urlsafe(32)
    url = agent_url(keys.redis_user(settings.REDIS_PREFIX, name), password)  # first: it may refuse the settings
    digest = hashlib.sha256(password.encode()).hexdigest()
    key = sealing.key_from_password(password)
    with transaction.atomic():
        where, _ = Site.objects.get_or_create(name=site)
        probe, _ = Probe.objects.update_or_create(name=name, defaults={"site": where, "password_digest": digest})
        probe.key = key
        probe.save(update_fields=["sealed_key"])
    client = sync_redis()
    create_user(client, name, digest)
    client.delete(keys.assignments_key(settings.REDIS_PREFIX, name))  # sealed with the old key: published anew
    if replace:
        client.execute_command("CLIENT", "KILL", "USER", keys.redis_user(settings.REDIS_PREFIX, name))
    return Credentials(name, url)


def revoke(name: str) -> None:
    """Delete the probe's Redis user (its connections are closed at once), its keys and its row."""
    keys.check_name(name)
    deleted, _ = Probe.objects.filter(name=name).delete()
    if not deleted:
        raise UnknownProbe(f"no probe {name!r}")
    client = sync_redis()
    client.acl_deluser(keys.redis_user(settings.REDIS_PREFIX, name))
    prefix = settings.REDIS_PREFIX
    client.delete(keys.results_key(prefix, name), keys.datagrams_key(prefix, name), keys.lease_key(prefix, name),
                  keys.assignments_key(prefix, name))  # fmt: skip


def restore(everyone: bool = False) -> list[str]:
    """Make again the users Redis lost (a restart without persistence); with `everyone`, all of them."""
    client = sync_redis()
    users = {user.decode() if isinstance(user, bytes) else user for user in client.acl_users()}
    restored = []
    for name, digest in Probe.objects.exclude(password_digest="").values_list("name", "password_digest"):
        lost = keys.redis_user(settings.REDIS_PREFIX, name) not in users
        if lost or everyone:
            create_user(client, name, digest)
        if lost:
            restored.append(name)
    if restored:
        logger.warning("Redis had lost the credentials of %d probe(s); made them again: %s", len(restored), restored)
    return restored


def has_user(name: str) -> bool:
    return acl_user_exists(keys.redis_user(settings.REDIS_PREFIX, name))
