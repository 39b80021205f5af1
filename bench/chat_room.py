"""Benchmark of chat fan-out (`make bench-chat`). Not part of the test suite.

200 users in one room, each sending one message per second for BENCH_SECONDS (30 by
default), through one daphne process, against the real Redis layer and a throwaway
SQLite database. Every user receives every message. Reports delivery latency (send
to receipt, all receivers), messages lost, and messages refused.
"""

import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.environment import prepare  # noqa: E402

WORKDIR = prepare("bench-chat")

from django.contrib.auth import get_user_model  # noqa: E402
from django.contrib.auth.models import Group  # noqa: E402
from django.core.management import call_command  # noqa: E402

from accounts.roles import OPERATOR  # noqa: E402
from bench.common import free_port, run_facts, save_results, session_cookie, summary_ms  # noqa: E402
from tests import processes  # noqa: E402

USERS = int(os.environ.get("BENCH_USERS", "200"))
SECONDS = int(os.environ.get("BENCH_SECONDS", "30"))
CLIENT_PROCESSES = 2  # one Python loop cannot read 40,000 frames a second alone
ROOM = "bench room 值班"


def main() -> None:
    call_command("migrate", verbosity=0)
    users = get_user_model().objects.bulk_create(get_user_model()(username=f"user{i:03d}") for i in range(USERS))
    Group.objects.get(name=OPERATOR).user_set.add(*users)  # operators chat; viewers only read
    cookies_file = WORKDIR / "cookies.txt"
    cookies_file.write_text("\n".join(session_cookie(user) for user in users))
    port = free_port()
    url = f"ws://127.0.0.1:{port}/ws/chat/{ROOM}/".replace(" ", "%20")
    print(f"{USERS} users in one room, 1 message/s each for {SECONDS} s", flush=True)
    with processes.daphne(port):
        shares = [
            USERS // CLIENT_PROCESSES + (1 if i < USERS % CLIENT_PROCESSES else 0) for i in range(CLIENT_PROCESSES)
        ]
        clients, first = [], 0
        for count in shares:
            command = [sys.executable, str(ROOT / "bench" / "chat_clients.py"), url, str(cookies_file),
                       f"http://127.0.0.1:{port}", str(first), str(count), str(SECONDS), str(USERS)]  # fmt: skip
            clients.append(subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True))
            first += count
        for client in clients:
            assert client.stdout.readline().strip() == "connected"
        start = time.time() + 1.0
        for client in clients:
            client.stdin.write(f"{start}\n")
            client.stdin.flush()
        outputs = [json.loads(client.stdout.readline()) for client in clients]
        for client in clients:
            client.wait(30)
    sent = {tuple(item) for out in outputs for item in out["sent"]}
    received: dict[tuple, int] = {}
    for out in outputs:
        for u, n, count in out["received"]:
            received[(u, n)] = received.get((u, n), 0) + count
    lost = sum(USERS - received.get(key, 0) for key in sent)
    latencies = [ms / 1000 for out in outputs for ms in out["latencies_ms"]]
    results = {
        **run_facts(),
        "users": USERS,
        "seconds": SECONDS,
        "messages_sent": len(sent),
        "deliveries_expected": len(sent) * USERS,
        "deliveries": len(latencies),
        "deliveries_lost": lost,
        "errors": sum(out["error_count"] for out in outputs),
        "error_samples": sorted({e for out in outputs for e in out["errors"]}),
        "sockets_closed_early": sum(out["closed_early"] for out in outputs),
        "failed_connect_attempts": sum(out["failed_attempts"] for out in outputs),
        "users_never_connected": sum(out["failed_users"] for out in outputs),
        "delivery_ms": summary_ms(latencies),
        "deliveries_per_second": round(len(latencies) / SECONDS, 1),
    }
    print(json.dumps(results, indent=1))
    save_results("chat-room", results)


if __name__ == "__main__":
    main()
