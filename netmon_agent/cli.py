"""`netmon-agent`: run the agent in the foreground (systemd, a container, or a terminal)."""

import argparse
import logging
import os
import signal
import socket
import sys
import threading
from collections.abc import Mapping
from urllib.parse import urlsplit

import redis
import redis.sentinel
from redis.backoff import NoBackoff
from redis.retry import Retry

from netmon_agent import envfile, keys
from netmon_agent.collectors import paths
from netmon_agent.collectors.tcp import TcpCollector
from netmon_agent.runtime import Agent, CredentialsRefused, NameTaken
from netmon_agent.sentinels import credentials, parse_address

logger = logging.getLogger("netmon_agent")

EXIT_NAME_TAKEN = 2
EXIT_REFUSED = 3


def parser(environment: Mapping[str, str] | None = None) -> argparse.ArgumentParser:
    """The options; each one's default is read from `environment` (the process's own by default)."""
    env = (os.environ if environment is None else environment).get
    p = argparse.ArgumentParser(prog="netmon-agent", description="Stream this host's statistics to NetWorkMonitor.")
    p.add_argument(
        "--env-file",
        metavar="PATH",
        help="KEY=VALUE lines (REDIS_URL=..., as `manage.py agents add` prints) read before the environment",
    )
    p.add_argument(
        "--redis-url",
        default=env("REDIS_URL"),
        help="from `manage.py agents add NAME`; better in REDIS_URL or --env-file: a command line is visible "
        "to every local user",
    )
    p.add_argument(
        "--name", default=env("AGENT_NAME") or socket.gethostname(), help="the agent's name (env AGENT_NAME)"
    )
    p.add_argument("--prefix", default=env("REDIS_PREFIX", keys.DEFAULT_PREFIX), help="the server's REDIS_PREFIX")
    p.add_argument("--interval", type=float, default=float(env("SAMPLE_INTERVAL", "1")), help="seconds between samples")
    p.add_argument("--procfs", default=env("HOST_PROC", "/proc"), help="the host's /proc (env HOST_PROC)")
    p.add_argument("--sysfs", default=env("HOST_SYS", "/sys"), help="the host's /sys (env HOST_SYS)")
    p.add_argument(
        "--refused-grace",
        type=float,
        default=float(env("AGENT_REFUSED_GRACE", "30")),
        help="seconds to retry refused credentials (a Redis restarted without its users) before stopping",
    )
    p.add_argument(
        "--tcp-states-every", type=float, default=float(env("TCP_STATES_EVERY", "5")), help="0 turns state tables off"
    )
    p.add_argument(
        "--sentinel",
        action="append",
        type=address,
        default=[],
        metavar="HOST:PORT",
        help="a Redis Sentinel to ask for the master (repeat for each; env REDIS_SENTINELS): the agent then "
        "follows a failover, and --redis-url gives only its user and password",
    )
    p.add_argument("--sentinel-master", default=env("REDIS_SENTINEL_MASTER", "netmon"), help="the monitored name")
    p.add_argument(
        "--sentinel-user", default=env("REDIS_SENTINEL_USER"), help="the sentinels' user allowed to find the master"
    )
    p.add_argument(
        "--sentinel-password",
        default=env("REDIS_SENTINEL_PASSWORD"),
        help="that user's password (better in the environment: a command line is visible to every local user)",
    )
    return p


def address(text: str) -> tuple[str, int]:
    try:
        return parse_address(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def redis_client(args: argparse.Namespace) -> redis.Redis:
    # No retries inside a call (redis-py's default backs off for seconds): a flush that
    # fails keeps its frames for the next tick, and sampling stays on time meanwhile.
    options = {"socket_timeout": 5, "socket_connect_timeout": 2, "health_check_interval": 30}
    options["retry"] = Retry(NoBackoff(), 0)
    if not args.sentinel:
        return redis.Redis.from_url(args.redis_url, **options)
    sentinel_options = {"socket_timeout": 1, "socket_connect_timeout": 1}
    if args.sentinel_user:
        sentinel_options["username"] = args.sentinel_user
    if args.sentinel_password:
        sentinel_options["password"] = args.sentinel_password
    sentinels = redis.sentinel.Sentinel(args.sentinel, sentinel_kwargs=sentinel_options)
    return sentinels.master_for(args.sentinel_master, **credentials(args.redis_url), **options)


def environment_with_file(argv: list[str]) -> Mapping[str, str]:
    """The process's environment, with the values of --env-file (if given) in front of it."""
    early = argparse.ArgumentParser(add_help=False)
    early.add_argument("--env-file")
    path = early.parse_known_args(argv)[0].env_file
    if path is None:
        return os.environ
    try:
        return {**os.environ, **envfile.read(path)}
    except (OSError, ValueError) as error:
        raise SystemExit(f"netmon-agent: --env-file: {error}") from None


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    environment = environment_with_file(argv)
    args = parser(environment).parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    given_on_command_line = args.redis_url != environment.get("REDIS_URL")
    if given_on_command_line and urlsplit(args.redis_url).password:
        logger.warning(
            "the --redis-url on the command line holds a password that every local user can read (ps): "
            "put it in REDIS_URL or in an --env-file readable by the agent alone"
        )
    if not args.sentinel and environment.get("REDIS_SENTINELS"):
        try:
            args.sentinel = [address(a) for a in environment["REDIS_SENTINELS"].split(",") if a.strip()]
        except argparse.ArgumentTypeError as error:
            logger.error("REDIS_SENTINELS: %s", error)
            return EXIT_REFUSED
    if not args.redis_url:
        logger.error("no Redis URL: set REDIS_URL or pass --env-file (`manage.py agents add NAME` prints it)")
        return EXIT_REFUSED
    if args.interval < 0.2:
        logger.error("--interval must be at least 0.2 s")
        return EXIT_REFUSED
    try:
        keys.check_name(args.name)
    except ValueError as error:
        logger.error("%s", error)
        return EXIT_REFUSED
    paths.use_host_paths(args.procfs, args.sysfs)
    TcpCollector.states_every = args.tcp_states_every
    agent = Agent(redis_client(args), args.name, args.prefix, args.interval, refused_grace_s=args.refused_grace)
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    try:
        agent.run(stop)
    except NameTaken as error:
        logger.error("%s", error)
        return EXIT_NAME_TAKEN
    except CredentialsRefused as error:
        logger.error("%s", error)
        return EXIT_REFUSED
    return 0


if __name__ == "__main__":
    sys.exit(main())
