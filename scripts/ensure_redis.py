"""Make sure a Redis answers at REDIS_URL; start a local one if none does.

Used by `make run` and `make test`. A no-op when Redis already answers: a Redis it
did not start is never reconfigured. A local Redis it starts is left running for the
next run and logs every write to an append-only file in .run/ (fsynced every second),
so agents' frames waiting in their streams outlive a crash or restart of Redis.
"""

import os
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import redis
from debian_packages import install
from local_service import wait_until_answering

RUN_DIR = Path(__file__).resolve().parent.parent / ".run"
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}


def answers(url: str) -> bool:
    try:
        return redis.from_url(url, socket_connect_timeout=1, socket_timeout=1).ping()
    except redis.RedisError:
        return False


def redis_server_binary() -> str:
    found = shutil.which("redis-server")
    if found:
        return found
    install(
        "redis-server",
        "redis-server is not installed: install Redis (e.g. `apt-get install redis-server`) or set REDIS_URL",
    )
    return shutil.which("redis-server") or sys.exit("redis-server still not found after installing it")


def start(url: str) -> None:
    parts = urlsplit(url)
    if parts.hostname not in LOCAL_HOSTS:
        sys.exit(
            f"No Redis answers at {parts.hostname}:{parts.port or 6379} and it is not local: start it or fix REDIS_URL"
        )
    server = redis_server_binary()
    if answers(url):  # a Debian install may have started the service itself
        return
    port = str(parts.port or 6379)
    RUN_DIR.mkdir(exist_ok=True)
    subprocess.run(
        [
            server,
            "--port",
            port,
            "--bind",
            "127.0.0.1",
            "-::1",
            "--daemonize",
            "yes",
            "--save",
            "",
            "--appendonly",
            "yes",
            "--appendfsync",
            "everysec",  # at most about a second of writes lost if the machine itself goes down
            "--appenddirname",
            f"appendonly-{port}",
            "--dir",
            str(RUN_DIR),
            "--logfile",
            str(RUN_DIR / f"redis-{port}.log"),
            "--pidfile",
            str(RUN_DIR / f"redis-{port}.pid"),
        ],
        check=True,
    )
    failure = f"started redis-server on port {port} but it does not answer; see .run/redis-{port}.log"
    wait_until_answering(lambda: answers(url), 10, failure)
    print(f"started a local Redis on 127.0.0.1:{port}")


def main() -> None:
    if os.environ.get("REDIS_SENTINELS"):
        return  # the sentinels name the master: it runs elsewhere, under their watch
    url = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
    if not answers(url):
        start(url)


if __name__ == "__main__":
    main()
