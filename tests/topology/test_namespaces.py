"""The parts on separate machines: each in a network namespace of its own, on a test network.

Redis, PostgreSQL, the web processes, the ingest, beat, a general worker (the check
dispatcher), a checks worker, an agent, a monitored target and the browser each get a
namespace and an address on 198.18.50.0/24 (the benchmarking range, existing only on the
namespaces' bridge). Nothing reaches another part except over that network, and a
firewall (nftables, in each namespace) lets a part open a connection only to the parts
docs/deploy/several-machines.md says it reaches. So the test shows that what the table lists
is all each part needs (the dashboard in the browser's namespace shows the agent's
samples and the target's check results) and that the rest is kept from it (the agent
cannot reach PostgreSQL or the web processes, beat cannot reach PostgreSQL, the browser
cannot reach Redis, only the checks worker reaches the target).
"""

import json
import os
import secrets
import subprocess
import sys
import textwrap
import uuid
from contextlib import ExitStack
from pathlib import Path

import pytest
from django.db import connection

from tests import processes
from tests.servers import private_postgres
from tests.targets import can_make_namespaces

pytestmark = [
    pytest.mark.pipeline,
    pytest.mark.skipif(not can_make_namespaces(), reason="needs root to make network namespaces"),
    # Its PostgreSQL is its own: once per `make test` is enough.
    pytest.mark.skipif(connection.vendor != "sqlite", reason="runs once per `make test`, in the SQLite pass"),
]

NETWORK = "198.18.50"
ADDRESSES = {
    "redis": 2, "db": 3, "web": 4, "ingest": 5, "checks": 6, "beat": 7, "tasks": 8,
    "agent": 10, "target": 11, "browser": 12,
}  # fmt: skip
WEB_PORT, TARGET_PORT = 8000, 7000
# The listening parts, and who may open a connection to each (docs/deploy/several-machines.md,
# column "reaches"); every other connection is refused.
SERVICES = {"redis": 6379, "db": 5432, "web": WEB_PORT, "target": TARGET_PORT}
CLIENTS = {
    "redis": ["web", "ingest", "checks", "tasks", "beat", "agent"],
    "db": ["web", "ingest", "checks", "tasks"],
    "web": ["browser"],
    "target": ["checks"],
}
# Connections the table does not list, tried from inside the firewall: each must be refused.
FORBIDDEN = [("agent", "db"), ("agent", "web"), ("beat", "db"), ("browser", "redis"), ("tasks", "target")]

FIREWALL = """
table inet topology {{
    chain input {{
        type filter hook input priority 0; policy drop;
        iifname "lo" accept
        ct state established,related accept
        {service}
        meta l4proto tcp reject with tcp reset
    }}
}}
"""

PROBE = """
import json, socket, sys
address, port = sys.argv[1], int(sys.argv[2])
try:
    socket.create_connection((address, port), timeout=5).close()
except ConnectionRefusedError:
    print("refused")
except OSError as error:
    print(type(error).__name__)
else:
    print("open")
"""

BROWSER = """
import asyncio, json, sys, time
from websockets.asyncio.client import connect

url, cookie, origin, agent, host_id = sys.argv[1:6]
seen = {"agent_frame": None, "check_result": None}

async def main():
    started = time.monotonic()
    async with connect(url, additional_headers={"Cookie": cookie, "Origin": origin}, open_timeout=30) as socket:
        async with asyncio.timeout(60):
            while None in seen.values():
                frame = json.loads(await socket.recv())
                if frame.get("type") == "stats" and frame.get("host") == agent:
                    seen["agent_frame"] = seen["agent_frame"] or round(time.monotonic() - started, 2)
                for host in frame.get("hosts", []) if frame.get("type") == "hosts" else []:
                    if host["id"] == int(host_id) and host["status"] == "up":
                        seen["check_result"] = seen["check_result"] or round(time.monotonic() - started, 2)

asyncio.run(main())
print(json.dumps(seen))
"""

TARGET = """
import socket
listener = socket.create_server(("{address}", {port}))
print("listening", flush=True)
while True:
    listener.accept()[0].close()
"""

SETUP = """
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from accounts import roles
from bench.common import session_cookie
from monitor.models import Check, Host
operator = get_user_model().objects.create_user("operator", password="a topology test only")
operator.groups.add(Group.objects.get(name=roles.OPERATOR))
host = Host.objects.create(name="target", address="{address}")
Check.objects.create(host=host, kind="tcp", port={port}, interval_s=1, timeout_s=1)
print(host.id)
print(session_cookie(operator))
"""


def address(part: str) -> str:
    return f"{NETWORK}.{ADDRESSES[part]}"


def make_network(tag: str) -> dict[str, str]:
    """A bridge in a namespace of its own and a namespace per part plugged into it; part -> namespace."""
    lan, names = f"nm{tag}lan", {part: f"nm{tag}{part}" for part in ADDRESSES}
    script = [f"ip netns add {lan}", f"ip -n {lan} link add br0 type bridge", f"ip -n {lan} link set br0 up"]
    for part, namespace in names.items():
        plug = f"v{tag}{ADDRESSES[part]}"
        script += [
            f"ip netns add {namespace}",
            f"ip -n {namespace} link set lo up",
            f"ip -n {lan} link add {plug} type veth peer name eth0 netns {namespace}",
            f"ip -n {lan} link set {plug} master br0 up",
            f"ip -n {namespace} addr add {address(part)}/24 dev eth0",
            f"ip -n {namespace} link set eth0 up",
        ]
    subprocess.run(["sh", "-ec", "\n".join(script)], check=True, capture_output=True)
    return {"lan": lan, **names}


def put_up_firewalls(names: dict[str, str]) -> None:
    """In each part's namespace: only the parts the table names may connect, and only to its service."""
    for part in ADDRESSES:
        service = ""
        if part in SERVICES:
            sources = ", ".join(address(client) for client in CLIENTS[part])
            service = f"ip saddr {{ {sources} }} tcp dport {SERVICES[part]} accept"
        rules = FIREWALL.format(service=service)
        subprocess.run(["ip", "netns", "exec", names[part], "nft", "-f", "-"], input=rules, text=True, check=True)


def remove_network(names: dict[str, str]) -> None:
    for namespace in names.values():
        subprocess.run(["ip", "netns", "del", namespace], capture_output=True)


def run(namespace: str, command: list[str], env: dict[str, str], timeout: float = 120) -> str:
    done = subprocess.run(
        ["ip", "netns", "exec", namespace, *command],
        cwd=processes.ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert done.returncode == 0, f"{command} in {namespace}:\n{done.stdout}\n{done.stderr}"
    return done.stdout


def test_each_part_on_a_machine_of_its_own_and_the_dashboard_shows_samples_and_check_results(tmp_path):
    tag = uuid.uuid4().hex[:4]
    password = secrets.token_urlsafe(16)
    with ExitStack() as stack:
        names = make_network(tag)
        stack.callback(remove_network, names)
        put_up_firewalls(names)
        postgres = stack.enter_context(private_postgres(address("db"), names["db"]))
        redis_dir = tmp_path / "redis"
        redis_dir.mkdir()
        redis_server = ["redis-server", "--bind", address("redis"), "--port", "6379", "--requirepass", password,
                        "--save", "", "--appendonly", "no", "--dir", str(redis_dir)]  # fmt: skip
        stack.enter_context(
            processes.running(redis_server, processes.logged("Ready to accept"), namespace=names["redis"])
        )
        env = {
            "DATABASE_URL": postgres.url,
            "REDIS_URL": f"redis://:{password}@{address('redis')}:6379/0",
            "AGENT_REDIS_URL": f"redis://{address('redis')}:6379/0",
            "ALLOWED_HOSTS": address("web"),
        }
        manage = [sys.executable, "manage.py"]
        run(names["web"], [*manage, "migrate", "--verbosity", "0"], env)
        setup = SETUP.format(address=address("target"), port=TARGET_PORT)
        host_id, cookie = run(names["web"], [*manage, "shell", "-c", setup], env).split()[-2:]
        agent = processes.agent_name("topology")
        agent_url = run(names["web"], [*manage, "agents", "add", agent, "--url-only"], env).strip()

        target = [sys.executable, "-c", TARGET.format(address=address("target"), port=TARGET_PORT)]
        stack.enter_context(processes.running(target, processes.logged("listening"), namespace=names["target"]))
        stack.enter_context(
            processes.together(
                processes.serve(WEB_PORT, 2, host=address("web"), namespace=names["web"], **env),
                processes.ingest(namespace=names["ingest"], **env),
                processes.beat(tmp_path, namespace=names["beat"], **env),
                processes.tasks_worker(processes.agent_name("dispatcher"), names["tasks"], **env),
                processes.checks_worker(processes.agent_name("checks"), names["checks"], **env),
            )
        )
        # The agent knows only its own Redis user (its REDIS_URL): no database, no broker (docs/deploy/agents.md).
        stack.enter_context(processes.agent(agent, redis_url=agent_url, namespace=names["agent"], DATABASE_URL=""))

        url, origin = f"ws://{address('web')}:{WEB_PORT}/ws/stats/", f"http://{address('web')}:{WEB_PORT}"
        browser = [sys.executable, "-c", textwrap.dedent(BROWSER), url, cookie, origin, agent, host_id]
        seen = json.loads(run(names["browser"], browser, {}, timeout=90))
        probe = [sys.executable, "-c", textwrap.dedent(PROBE)]
        kept_out = {
            (part, server): run(names[part], [*probe, address(server), str(SERVICES[server])], {}).strip()
            for part, server in FORBIDDEN
        }
    assert kept_out == {connection: "refused" for connection in FORBIDDEN}  # the firewall holds
    assert seen["agent_frame"] is not None  # agent -> Redis -> ingest -> Redis -> web -> browser
    assert seen["check_result"] is not None  # beat -> dispatcher -> checks worker -> target, PostgreSQL -> web
    assert not Path(f"/run/netns/{names['web']}").exists()  # the network is gone with the test
