"""PostgreSQL stopped under running web processes, ingest, agent and checks: the pages say so, and what
happened meanwhile (samples, a check run, an alert, a chat message) is written once it answers again."""

import os
import subprocess
import sys
import time

import httpx
import psycopg
import pytest
from django.db import connection

from tests import processes, targets
from tests.faults.pages import ChatPage, Page, live_from
from tests.servers import free_port, private_postgres, wait_for
from tests.stats.test_intake import private_history
from tests.waits import EVENT_TIMEOUT_S

pytestmark = [
    pytest.mark.pipeline,
    pytest.mark.skipif(connection.vendor != "sqlite", reason="runs once per `make test`, in the SQLite pass"),
]

OUTAGE_S = 12  # longer than AGENT_OFFLINE_AFTER (5 s): the agent's offline alert fires inside it
CHECK_INTERVAL_S = 5

# Run in the private database: the operator, an agent_offline rule for her, and a checked host.
SETUP = f"""
import sys
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from accounts import roles
from alerts.models import AlertRule
from bench.common import session_cookie
from monitor.models import Check, Host

alice = get_user_model().objects.create_user("alice", password="correct horse battery")
alice.groups.add(Group.objects.get(name=roles.OPERATOR))
rule = AlertRule.objects.create(name="agent gone", metric="agent_offline", comparison=">", threshold=0.5)
rule.recipients.set([alice])
host = Host.objects.create(name="outage-target", address="127.0.0.1")
Check.objects.create(host=host, kind="tcp", port=int(sys.argv[1]), interval_s={CHECK_INTERVAL_S}, timeout_s=1)
print(session_cookie(alice))
"""


def manage(url: str, *args: str) -> str:
    env = {**os.environ, "DATABASE_URL": url}
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=processes.ROOT, env=env, check=True, capture_output=True, text=True
    ).stdout.strip()


def rows(url: str, query: str, *params) -> list[tuple]:
    with psycopg.connect(url) as db:
        return db.execute(query, params).fetchall()


def a_run_claimed_ahead(url: str) -> bool:
    """A slot the dispatcher claimed that is still to come: the checks worker will run it in the outage."""
    return bool(rows(url, "SELECT 1 FROM monitor_claimedslot WHERE slot > now() + interval '0.5 seconds'"))


def offline_alerts(url: str, name: str, since: float) -> list[tuple]:
    """When this agent's offline alert fired from `since` on (other agents registered by earlier tests
    go offline too). Before the outage it may have fired and resolved already, rightly: the agent
    is registered before it starts, and a slow start of the other parts can outlast its grace."""
    query = (
        "SELECT e.created_at FROM monitor_alertevent e JOIN monitor_alert a ON a.id = e.alert_id"
        " WHERE e.kind = 'firing' AND a.subject = %s AND e.created_at >= to_timestamp(%s)"
    )
    return rows(url, query, f"agent:{name}", since)


def database_frame(available: bool):
    return lambda frame: frame.get("type") == "database" and frame["available"] is available


async def test_pages_say_the_database_is_away_and_what_happened_meanwhile_is_written_once_it_is_back(tmp_path):
    listener = targets.Listener()
    name = processes.agent_name("outage")
    processes.register(name)
    with private_postgres(migrated=True) as postgres:
        url = postgres.url
        # The last line: shell says first how many models it imported.
        cookie = manage(url, "shell", "-c", SETUP.replace("sys.argv[1]", str(listener.port))).splitlines()[-1]
        port, env = free_port(), {"DATABASE_URL": url}
        with processes.together(
            processes.serve(port, 2, **env),
            processes.ingest(**env),
            processes.beat(tmp_path),
            processes.tasks_worker(processes.agent_name("dispatcher"), **env),
            processes.checks_worker(processes.agent_name("checks"), **env),
        ):
            dashboard, chat = Page(port, cookie), ChatPage(port, cookie, "outage")
            await dashboard.open()
            await chat.join()
            with processes.agent(name):
                await dashboard.frame(live_from(name, time.time()), EVENT_TIMEOUT_S)
                wait_for(lambda: private_history(url, name), 30, "the agent's frames in history")
                wait_for(lambda: a_run_claimed_ahead(url), EVENT_TIMEOUT_S, "a check run claimed ahead")
                claimed = rows(url, "SELECT slot FROM monitor_claimedslot ORDER BY slot DESC LIMIT 1")[0][0]

                postgres.stop()
                stopped = time.time()
                away = await dashboard.frame(database_frame(False), EVENT_TIMEOUT_S)
                assert stopped - 2 <= away["since"] <= time.time()
                # Live data goes on without the database.
                await dashboard.frame(live_from(name, time.time()), EVENT_TIMEOUT_S)
                # A page load says what is wrong instead of failing blankly.
                async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", headers={"Cookie": cookie}) as web:
                    page = await web.get("/")
                    api = await web.get("/api/hosts/")
                assert (page.status_code, page.headers["Retry-After"]) == (503, "30")
                assert "The database is unavailable" in page.text
                assert (api.status_code, api.json()) == (
                    503,
                    {"detail": "The database is unavailable; try again shortly."},
                )
                # A message posted now waits, and its sender is told.
                await chat.post("db-1 is failing over", "c-outage")
                await chat.until(lambda frame: frame["type"] == "error")
                assert chat.errors == ["the database is unavailable: messages wait and are saved when it is back"]
                sampled_until = time.time()
            # The agent stops inside the outage: its offline alert fires while nothing can be recorded.
            offline_at = time.time()
            wait_for(lambda: time.time() - stopped >= OUTAGE_S, OUTAGE_S + 1, "the outage")  # its length is the test
            postgres.start()
            back = await dashboard.frame(database_frame(True), EVENT_TIMEOUT_S)
            assert back["since"] >= stopped + OUTAGE_S
            await chat.all_saved()  # the waiting message, saved and confirmed

            outage = set(range(int(stopped) + 1, int(sampled_until)))
            wait_for(lambda: outage <= set(private_history(url, name)), 30, "the outage's samples")
            wait_for(
                lambda: rows(url, "SELECT 1 FROM monitor_checkresult WHERE scheduled_at = %s", claimed),
                30,
                "the result of the run made in the outage",
            )
            wait_for(lambda: offline_alerts(url, name, stopped), 30, "the agent's offline alert")
        # After the outage, as stored: each sample once, the run made in it, the alert fired in it, the message.
        samples = private_history(url, name)
        assert len(samples) == len(set(samples))  # none written twice
        (status, started), *more = rows(
            url, "SELECT status, started_at FROM monitor_checkresult WHERE scheduled_at = %s", claimed
        )
        assert (more, status) == ([], "up")
        assert stopped <= started.timestamp() < stopped + OUTAGE_S  # run in the outage, saved after it
        ((fired_at,),) = offline_alerts(url, name, stopped)  # once, in the outage
        assert offline_at < fired_at.timestamp() < stopped + OUTAGE_S  # recorded late, with its moment
        assert rows(url, "SELECT text, client_id FROM monitor_chatmessage") == [("db-1 is failing over", "c-outage")]
    listener.close()
