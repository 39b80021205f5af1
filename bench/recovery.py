"""Time to recover from each fault (`python bench/recovery.py`, `make bench-recovery`). Not part of the test suite.

Every process runs against a private PostgreSQL and a private Redis (no persistence),
as the fault tests do (tests/faults/), and each fault is made REPETITIONS times:

- redis: Redis SIGKILLed, down over a sampling tick, started again empty, under
  `manage.py serve`, the ingest and a real agent; from the moment it answers until the
  page is told `link` `live: true`, and until it has a frame sampled after the restart.
- web: the web process holding a dashboard SIGKILLed; until the page sees the close,
  and until, reconnecting as static/js/live-socket.js does (after about 1 s), it has a
  live frame again.
- database: PostgreSQL stopped for OUTAGE_S under everything; until the page is told
  `database` unavailable; from its start until the page is told available, and until a
  chat message posted in the outage is confirmed saved.
- beat: celery beat stopped; until the page is told checks are not dispatched; from its
  start until it is told they are again.
- checks-worker: the checks worker holding a claimed run SIGKILLed and a new one started
  (as a supervisor would); until the held slot is recorded missed, and until a check
  result comes from the new worker.
- notification-worker: the general worker SIGKILLed while a webhook receiver holds its
  request, and a new one started; until the notification is delivered again.
- failover: a Redis master with a replica and three sentinels, the master SIGKILLed
  under web processes, the ingest, an agent, beat, a dispatcher and a checks worker
  that know Redis only through the sentinels (a set of its own each time); from the
  kill until the page is told `live: false`, until the sentinels name the replica,
  until the page is told `live: true`, until it shows a check result from after the
  kill (the checks run every 5 s), and until it has an agent frame sampled after it.
"""

import asyncio
import json
import os
import signal
import sys
import time
from contextlib import ExitStack
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.servers import free_port, private_postgres, private_redis, sentinels  # noqa: E402  (no Django needed)

REPETITIONS = int(os.environ.get("BENCH_REPETITIONS", "5"))
WEB_PROCESSES = int(os.environ.get("BENCH_WEB_PROCESSES", str(os.cpu_count() or 1)))
FAULTS = os.environ.get("BENCH_FAULTS", "redis,web,database,beat,checks-worker,notification-worker,failover").split(",")
OUTAGE_S = 3.0
MISSED_AFTER_S = "2"  # CHECK_MISSED_AFTER_S for the dispatcher
RESEND_AFTER_S = "2"  # NOTIFY_RESEND_AFTER_S for the general worker


def since(start: float) -> float:
    return time.time() - start


async def redis_restarts(ctx) -> list[dict]:
    from tests.faults.pages import link, live_from

    page, measured = await ctx.page(), []
    for _ in range(REPETITIONS):
        ctx.redis.kill()
        killed = time.time()
        await page.frame(link(False), 10)
        told_down = since(killed)
        await asyncio.sleep(max(0.0, int(killed) + 1.5 - time.time()))  # down over a sampling tick
        ctx.redis.start()
        answered = time.time()
        await page.frame(link(True), 30)
        linked = since(answered)
        await page.frame(live_from(ctx.agent, answered), 30)
        measured.append({"told_down_s": told_down, "link_s": linked, "live_s": since(answered)})
        await asyncio.sleep(2)  # steady again before the next kill
    await page.ws.close()
    return measured


async def web_kills(ctx) -> list[dict]:
    from tests.faults.pages import holder, live_from, web_processes

    measured = []
    for _ in range(REPETITIONS):
        page = await ctx.page()
        victim = holder(web_processes(ctx.server.pid), page.local_port)
        os.kill(victim, signal.SIGKILL)
        killed = time.time()
        assert await page.closed()
        closed = since(killed)
        await asyncio.sleep(1.0)  # live-socket.js's first retry: 1 s (± 20 %)
        await page.open()
        await page.frame(live_from(ctx.agent, killed), 30)
        measured.append({"closed_s": closed, "live_again_s": since(killed)})
        await page.ws.close()
        ctx.wait_for(lambda: len(web_processes(ctx.server.pid)) == WEB_PROCESSES, 10, "the replacement")
    return measured


async def database_outages(ctx) -> list[dict]:
    from tests.faults.pages import ChatPage

    page, measured = await ctx.page(), []
    chat = ChatPage(ctx.port, ctx.cookie, "recovery")
    await chat.join()
    for n in range(REPETITIONS):
        ctx.postgres.stop()
        stopped = time.time()
        await page.frame(lambda f: f.get("type") == "database" and f["available"] is False, 10)
        told_down = since(stopped)
        await chat.post(f"during outage {n}", f"outage-{n}")
        await asyncio.sleep(max(0.0, stopped + OUTAGE_S - time.time()))
        ctx.postgres.start()
        started = time.time()
        await page.frame(lambda f: f.get("type") == "database" and f["available"] is True, 30)
        told_back = since(started)
        await chat.all_saved()
        measured.append({"told_down_s": told_down, "told_back_s": told_back, "chat_saved_s": since(started)})
        await asyncio.sleep(2)
    await page.ws.close()
    await chat.page.ws.close()
    return measured


def dispatching(running: bool):
    return lambda frame: frame.get("type") == "checks_dispatch" and frame["running"] is running


async def beat_stops(ctx) -> list[dict]:
    from tests import processes

    page, measured = await ctx.page(), []
    ctx.stack.enter_context(processes.tasks_worker(processes.agent_name("dispatcher"), **ctx.env))
    beat = processes.beat(ctx.workdir, **ctx.env)
    beat.__enter__()
    await page.frame(dispatching(True), 30)
    for _ in range(REPETITIONS):
        beat.__exit__(None, None, None)
        stopped = time.time()
        await page.frame(dispatching(False), 30)
        told_stopped = since(stopped)
        beat = processes.beat(ctx.workdir, **ctx.env)
        started = time.time()
        beat.__enter__()
        await page.frame(dispatching(True), 30)
        measured.append({"told_stopped_s": told_stopped, "told_running_s": since(started)})
    beat.__exit__(None, None, None)
    await page.ws.close()
    return measured


async def checks_worker_kills(ctx) -> list[dict]:
    from django.utils import timezone

    from monitor.models import CheckResult, ClaimedSlot, ResultStatus
    from tests import processes

    def all_missed(slots: list) -> bool:
        missed = CheckResult.objects.filter(status=ResultStatus.MISSED)
        return all(missed.filter(host_check_id=check, scheduled_at=slot).exists() for check, slot in slots)

    measured = []
    env = {**ctx.env, "CHECK_MISSED_AFTER_S": MISSED_AFTER_S}
    ctx.stack.enter_context(processes.beat(ctx.workdir, **env))
    ctx.stack.enter_context(processes.tasks_worker(processes.agent_name("dispatcher"), **env))
    worker = processes.checks_worker(processes.agent_name("checks"), **env)
    doomed = worker.__enter__()
    for _ in range(REPETITIONS):
        ctx.wait_for(processes.holds_a_claimed_run, 30, "a run in the worker's hands")
        held = list(ClaimedSlot.objects.filter(slot__gt=timezone.now()).values_list("host_check_id", "slot"))
        doomed.kill()
        killed = timezone.now()
        worker.__exit__(None, None, None)
        worker = processes.checks_worker(processes.agent_name("checks"), **env)  # the supervisor's restart
        doomed = worker.__enter__()
        ctx.wait_for(lambda slots=held: all_missed(slots), 30, "the held slots recorded missed")
        recorded = (timezone.now() - killed).total_seconds()
        ran = CheckResult.objects.filter(status=ResultStatus.UP, started_at__gt=killed)
        ctx.wait_for(ran.exists, 30, "a result from the new worker")
        first = (ran.earliest("started_at").started_at - killed).total_seconds()
        measured.append({"missed_recorded_s": recorded, "next_result_s": first})
    worker.__exit__(None, None, None)
    return measured


async def notification_worker_kills(ctx) -> list[dict]:
    from alerts.evaluator import Evaluator
    from alerts.models import NotificationTarget
    from core.contracts.metrics import AGENT_ALERT_METRICS
    from tests import processes, targets
    from tests.alerts.test_alerts import fire, make_rule
    from tests.alerts.test_pipeline import webhook_body

    measured, env = [], {**ctx.env, "NOTIFY_RESEND_AFTER_S": RESEND_AFTER_S}
    make_rule(ctx.user, name="disk")
    ctx.stack.enter_context(processes.beat(ctx.workdir, **env))  # the resend sweep's clock
    evaluator = Evaluator(AGENT_ALERT_METRICS)
    for n in range(REPETITIONS):
        with targets.webhook_receiver(hold_first=True) as (url, received):
            target = NotificationTarget.objects.create(user=ctx.user, url=url)
            with processes.notifications_worker(processes.agent_name("doomed"), **env) as doomed:
                fire(evaluator, f"agent:db-{n}", 99)
                webhook_body(received, f"disk FIRING on db-{n}")  # held: the worker is mid-send
                doomed.kill()
                killed = time.time()
            with processes.notifications_worker(processes.agent_name("notifier"), **env):
                webhook_body(received, f"disk FIRING on db-{n}", timeout=60)
                measured.append({"delivered_s": since(killed)})
            target.delete()
    return measured


async def failovers(cookie: str, workdir: Path, host_id: int) -> list[dict]:
    from tests import processes
    from tests.faults.pages import Page, checked_after, link, live_from
    from tests.servers import wait_for

    measured = []
    for _ in range(REPETITIONS):
        with sentinels() as redis_set, ExitStack() as stack:
            env, port, agent = redis_set.env(), free_port(), processes.agent_name("failover")
            agent_url = processes.add_agent(agent, **env)
            stack.enter_context(processes.serve(port, WEB_PROCESSES, **env))
            stack.enter_context(processes.ingest(**env))
            stack.enter_context(processes.agent(agent, redis_url=agent_url, **env))
            stack.enter_context(processes.checking(workdir, **env))
            page = Page(port, cookie)
            await page.open()
            await page.frame(checked_after(host_id, time.time()), 30)
            redis_set.master.kill()
            killed = time.time()
            await page.frame(link(False), 10)
            told_down = since(killed)
            await asyncio.to_thread(wait_for, redis_set.promoted, 30, "the failover")
            promoted = since(killed)
            await page.frame(link(True), 30)
            linked = since(killed)
            await page.frame(checked_after(host_id, killed), 30)
            shown = since(killed)
            await page.frame(live_from(agent, killed), 30)
            sampled = since(killed)
            measured.append(
                dict(told_down_s=told_down, promoted_s=promoted, link_s=linked, result_s=shown, agent_s=sampled)
            )
            await page.ws.close()
    return measured


SCENARIOS = {
    "redis": redis_restarts,
    "web": web_kills,
    "database": database_outages,
    "beat": beat_stops,
    "checks-worker": checks_worker_kills,
    "notification-worker": notification_worker_kills,
}


class Context:
    """What a scenario runs under: the web processes, the ingest and an agent, on the private servers."""

    def __init__(self, stack: ExitStack, postgres, redis, workdir: Path, operator) -> None:
        from core.redis_io.redis_clients import sync_redis
        from stats import latest
        from tests import processes
        from tests.servers import wait_for

        self.stack, self.postgres, self.redis, self.workdir = stack, postgres, redis, workdir
        self.user, self.cookie = operator
        self.wait_for, self.env, self.port = wait_for, {"REDIS_URL": redis.url}, free_port()
        sync_redis().delete(latest.parts_key())  # no word on beat or the database from the scenario before
        self.agent = processes.agent_name("recovery")
        agent_url = processes.add_agent(self.agent, **self.env)
        self.server = stack.enter_context(processes.serve(self.port, WEB_PROCESSES, **self.env))
        stack.enter_context(processes.ingest(**self.env))
        stack.enter_context(processes.agent(self.agent, redis_url=agent_url))

    async def page(self):
        from tests.faults.pages import Page, live_from

        page = Page(self.port, self.cookie)
        await page.open()
        await page.frame(live_from(self.agent, time.time()), 30)
        return page


def setup_once():
    """The operator the pages sign in as, and a host with three TCP checks every 5 s."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.core.management import call_command

    from accounts import roles
    from bench.common import session_cookie
    from monitor.models import Check, Host
    from tests import targets

    call_command("migrate", verbosity=0)
    user = get_user_model().objects.create_user("operator", password="recovery bench only")
    user.groups.add(Group.objects.get(name=roles.OPERATOR))
    listener = targets.Listener()
    host = Host.objects.create(name="recovery-target", address="127.0.0.1")
    for _ in range(3):
        Check.objects.create(host=host, kind="tcp", port=listener.port, interval_s=5, timeout_s=1)
    return (user, session_cookie(user)), listener, host.id


def main() -> None:
    from bench.environment import prepare

    # The driver calls the ORM between awaits, from its one thread.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with private_postgres() as postgres, private_redis() as redis:
        os.environ["REDIS_URL"] = redis.url  # this process and every one it starts
        workdir = prepare("recovery", database_url=postgres.url)
        from django.db import connection

        from bench.common import run_facts, save_results, summary_ms

        operator, listener, host_id = setup_once()
        results = {**run_facts(), "web_processes": WEB_PROCESSES, "repetitions": REPETITIONS, "faults": {}}
        for fault in FAULTS:
            if fault == "failover":  # its own Redis servers and processes
                measured = asyncio.run(failovers(operator[1], workdir, host_id))
            else:
                with ExitStack() as stack:
                    measured = asyncio.run(SCENARIOS[fault](Context(stack, postgres, redis, workdir, operator)))
            connection.close()  # a scenario may have restarted the database under it
            summary = {key: summary_ms([m[key] for m in measured]) for key in measured[0]}
            results["faults"][fault] = {"summary_ms": summary, "measured": measured}
            print(fault, json.dumps(summary), flush=True)
        listener.close()
    save_results("recovery", results)


if __name__ == "__main__":
    main()
