"""The processes of an installation, defined once.

The Procfile (`make run`), docker-compose.yml, the tests and the benchmarks all start a
process by its name here, so they cannot drift apart. Run one with

    python -m NetWorkMonitor.processes <name> [more arguments for it]

which replaces itself with the process (exec): signals from honcho, docker or systemd
reach the process itself, and its exit status is theirs.

This module imports neither Django nor Celery: it names processes, it does not set them up.
"""

import os
import sys
from dataclasses import dataclass


@dataclass(frozen=True)
class Worker:
    """A Celery worker: the queue it consumes (after the Redis prefix) and how it runs tasks."""

    queue: str
    pool: str
    concurrency: int | None = None  # None: the pool's own (solo runs one task at a time)


# The services: the web processes' port and the ingest, the agent of this host, the events receiver.
SERVICES = {
    "web": ["manage.py", "serve"],  # HOST, PORT and WEB_CONCURRENCY come from the environment
    "ingest": ["manage.py", "ingest"],
    "agent": ["-m", "netmon_agent"],  # credentials from REDIS_URL or --env-file, never argv
    "events": ["manage.py", "receive_events"],  # SNMP traps and syslog; TRAP_PORT, SYSLOG_PORT
    "flows": ["manage.py", "collect_flows"],  # NetFlow/IPFIX and sFlow on NETFLOW_PORT and SFLOW_PORT
    # Publishes the probes' assignments and writes their results; notices dead probes.
    "probes": ["manage.py", "probes", "serve"],
}

# Each queue has workers of its own (celery_app.py says why); the names are those of the
# queues in celery_app.py.
WORKERS = {
    # Checks wait on the network: many at once in threads, each with its event loop.
    "checks": Worker("checks", pool="threads", concurrency=16),
    # The dispatcher and status pages: short tasks, two processes so neither waits.
    "worker": Worker("tasks", pool="prefork", concurrency=2),
    # Each attempt waits on someone else's server (cut after NOTIFY_ATTEMPT_S): threads.
    "notifications": Worker("notifications", pool="threads", concurrency=8),
    # Rollups and pruning, one at a time.
    "housekeeping": Worker("housekeeping", pool="solo"),
}

BEAT_SCHEDULE = ".run/celerybeat-schedule"

NAMES = [*SERVICES, *WORKERS, "beat"]


def redis_prefix() -> str:
    """The prefix settings.py reads, with the same default."""
    return os.environ.get("REDIS_PREFIX", "netmon")


def celery(*arguments: str) -> list[str]:
    return [sys.executable, "-m", "celery", "-A", "celery_app", *arguments]


def worker_command(
    name: str,
    prefix: str | None = None,
    node: str | None = None,
    pool: str | None = None,
    concurrency: int | None = None,
) -> list[str]:
    worker = WORKERS[name]
    pool = pool or worker.pool
    argv = celery("worker", "-P", pool)
    concurrency = concurrency or (worker.concurrency if pool == worker.pool else None)
    if concurrency and pool != "solo":  # solo runs one task at a time, whatever -c says
        argv += ["-c", str(concurrency)]
    queue = f"{prefix or redis_prefix()}.{worker.queue}"
    # Gossip, mingle and heartbeats are traffic between workers that nothing here uses.
    return [*argv, "-Q", queue, "-n", node or f"{name}@%h", "--without-gossip", "--without-mingle",
            "--without-heartbeat", "-l", "INFO"]  # fmt: skip


def command(name: str, *extra: str, schedule: str = BEAT_SCHEDULE, **worker_options) -> list[str]:
    """The argv of process `name`, followed by `extra` arguments for it.

    Workers take `prefix` (the Redis prefix; REDIS_PREFIX by default), `node` (the -n name),
    `pool` and `concurrency`; beat takes `schedule` (its state file).
    """
    if name in SERVICES:
        argv = [sys.executable, *SERVICES[name]]
    elif name in WORKERS:
        argv = worker_command(name, **worker_options)
    elif name == "beat":
        argv = celery("beat", "-s", schedule, "-l", "INFO")
    else:
        raise KeyError(f"no process named {name!r}; the processes are {', '.join(NAMES)}")
    return [*argv, *extra]


def main(arguments: list[str]) -> None:
    if not arguments or arguments[0] not in NAMES:
        raise SystemExit(f"usage: python -m NetWorkMonitor.processes {{{','.join(NAMES)}}} [arguments for it]")
    argv = command(arguments[0], *arguments[1:])
    os.execv(argv[0], argv)


if __name__ == "__main__":
    main(sys.argv[1:])
