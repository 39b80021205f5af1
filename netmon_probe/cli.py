"""`netmon-probe`: run the probe in the foreground (systemd, a container, or a terminal).

Its URL and name come from the environment or an environment file (--env-file), never
from the command line, which every local user can read. Everything else follows from
them: the key that opens its assignments is derived from the password in the URL, and
the installation's key prefix from its Redis user's name (REDIS_PREFIX overrides it).
"""

import argparse
import asyncio
import logging
import os
import signal
import sqlite3
import sys
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import unquote, urlsplit

import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from netmon_agent import envfile
from netmon_probe import keys, sealing
from netmon_probe.buffer import Buffer
from netmon_probe.receivers import Forwarder, Settings
from netmon_probe.runtime import CredentialsRefused, NameTaken, Probe

logger = logging.getLogger("netmon_probe")

EXIT_NAME_TAKEN = 2
EXIT_REFUSED = 3
# An hour of 2,000 checks every 30 s is 240,000 results; kept on disk, about 300 bytes each.
DEFAULT_BUFFER_MAX = 500_000
# An hour of 50 flow datagrams a second; up to 2 KB each on disk.
DEFAULT_DATAGRAM_BUFFER_MAX = 200_000


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="netmon-probe",
        description="Run this site's NetWorkMonitor checks. REDIS_URL and PROBE_NAME come from the "
        "environment or --env-file (as `manage.py probes add NAME` prints them), never from the command line.",
    )
    p.add_argument("--env-file", metavar="PATH", help="KEY=VALUE lines read before the environment")
    return p


def settings(argv: list[str]) -> Mapping[str, str]:
    path = parser().parse_args(argv).env_file
    if path is None:
        return os.environ
    try:
        return {**os.environ, **envfile.read(path)}
    except (OSError, ValueError) as error:
        raise SystemExit(f"netmon-probe: --env-file: {error}") from None


def redis_client(url: str) -> redis.Redis:
    # No retries inside a call: a flush that fails keeps its results on disk for the next one.
    return redis.Redis.from_url(
        url, socket_timeout=5, socket_connect_timeout=2, health_check_interval=30, retry=Retry(NoBackoff(), 0)
    )


def key_prefix(env: Mapping[str, str], name: str) -> str:
    """REDIS_PREFIX if set, else the one in the name of its Redis user (`manage.py probes add` made it)."""
    if env.get("REDIS_PREFIX"):
        return env["REDIS_PREFIX"]
    try:
        user = urlsplit(env["REDIS_URL"]).username
    except ValueError:
        user = None
    return keys.prefix_of_user(unquote(user or ""), name) or keys.DEFAULT_PREFIX


def buffer_path(env: Mapping[str, str], name: str) -> Path:
    """PROBE_BUFFER, else <name>.sqlite in the folder systemd keeps for it (StateDirectory=), else
    in ~/.local/state/netmon-probe ($XDG_STATE_HOME honoured), made readable by its user alone:
    the results waiting there name the site's targets.
    """
    if env.get("PROBE_BUFFER"):
        return Path(env["PROBE_BUFFER"])
    if env.get("STATE_DIRECTORY"):  # systemd made it, with the unit's StateDirectoryMode
        return Path(env["STATE_DIRECTORY"].split(":")[0]) / f"{name}.sqlite"
    home = Path(env.get("HOME") or Path.home())
    folder = Path(env.get("XDG_STATE_HOME") or home / ".local" / "state") / "netmon-probe"
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    folder.chmod(0o700)  # mkdir's mode is masked by the umask, and not applied to a folder that was there
    return folder / f"{name}.sqlite"


def main(argv: list[str] | None = None) -> int:
    env = settings(sys.argv[1:] if argv is None else argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    missing = [name for name in ("REDIS_URL", "PROBE_NAME") if not env.get(name)]
    if missing:
        logger.error("missing %s: set them or pass --env-file (`manage.py probes add NAME` prints them)", missing)
        return EXIT_REFUSED
    try:
        name = keys.check_name(env["PROBE_NAME"])
        buffer_max = int(env.get("PROBE_BUFFER_MAX", DEFAULT_BUFFER_MAX))
        datagram_buffer_max = int(env.get("PROBE_DATAGRAM_BUFFER_MAX", DEFAULT_DATAGRAM_BUFFER_MAX))
        receiving = Settings.from_env(env)
    except ValueError as error:
        logger.error("%s", error)
        return EXIT_REFUSED
    try:
        path = buffer_path(env, name)
        buffer = Buffer(path, buffer_max)
    except (OSError, sqlite3.Error) as error:
        logger.error("cannot keep its buffer (set PROBE_BUFFER to a writable file): %s", error)
        return EXIT_REFUSED
    probe = Probe(
        redis_client(env["REDIS_URL"]), name, sealing.key_from_url(env["REDIS_URL"]), buffer, key_prefix(env, name),
        refused_grace_s=float(env.get("PROBE_REFUSED_GRACE", "30")),
    )  # fmt: skip
    forwarder = None
    if receiving.ports:  # a buffer of its own: datagrams never push results out of theirs
        datagrams = Buffer(env.get("PROBE_DATAGRAM_BUFFER", f"{path.with_suffix('')}-datagrams.sqlite"),
                           datagram_buffer_max)  # fmt: skip
        forwarder = Forwarder(redis_client(env["REDIS_URL"]), name, datagrams, key_prefix(env, name), receiving)
        logger.info("%d datagrams kept from before", datagrams.count)
    logger.info("probe %r starting; %d results kept from before", name, buffer.count)
    try:
        asyncio.run(serve(probe, forwarder))
    except NameTaken as error:
        logger.error("%s", error)
        return EXIT_NAME_TAKEN
    except CredentialsRefused as error:
        logger.error("%s", error)
        return EXIT_REFUSED
    except OSError as error:  # a receiver's port in use, or below 1024 without the capability
        logger.error("cannot open a receiver: %s", error)
        return EXIT_REFUSED
    finally:
        buffer.close()
        if forwarder is not None:
            forwarder.buffer.close()
    return 0


async def serve(probe: Probe, forwarder: Forwarder | None = None) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    if forwarder is None:
        await probe.run(stop)
        return
    transports = await forwarder.open()  # a port that cannot be opened stops the probe before it starts
    tasks = {asyncio.create_task(probe.run(stop)), asyncio.create_task(forwarder.run(stop, transports))}
    # Either one ending is the probe stopping, or failing: the other stops too and the failure is raised.
    await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    stop.set()
    for outcome in await asyncio.gather(*tasks, return_exceptions=True):  # both finish their work first
        if isinstance(outcome, BaseException):
            raise outcome
