"""A forever loop that fails is logged, started again after a back-off, and named by /healthz while down."""

import asyncio
import logging
import threading
import time

import pytest
from asgiref.sync import sync_to_async
from django.conf import settings
from django.test import Client

from core import supervision
from core.redis_io.redis_clients import sync_redis
from stats import service
from stats.intake import Intake
from stats.presence import Presence
from stats.relay import Relay
from tests.servers import wait_for


@pytest.fixture
def no_parts_down():
    """This test's parts only: the shared marks are kept under this run's own prefix."""
    sync_redis().delete(supervision.down_key())
    yield
    sync_redis().delete(supervision.down_key())


def health() -> tuple[int, dict]:
    response = Client().get("/healthz")
    return response.status_code, response.json()


def names_down(part: str) -> bool:
    status, body = health()
    return status == 503 and body["status"] == "error" and body.get(part) == "down"


def test_the_back_off_doubles_up_to_its_cap_and_starts_over_after_a_steady_run():
    backoff = supervision.Backoff()
    delays = [backoff.after(0.0) for _ in range(10)]
    assert delays[:3] == [supervision.BACKOFF_FIRST_S, 2 * supervision.BACKOFF_FIRST_S, 4 * supervision.BACKOFF_FIRST_S]
    assert max(delays) == supervision.BACKOFF_MAX_S
    assert backoff.after(supervision.STEADY_S) == supervision.BACKOFF_FIRST_S


@pytest.mark.usefixtures("no_parts_down")
def test_a_failing_intake_is_logged_started_again_and_named_by_healthz(transactional_db, monkeypatch, caplog):
    healed, steps_after = threading.Event(), []

    def step(intake: Intake) -> None:  # a fault nobody expected, until healed
        if not healed.is_set():
            raise RuntimeError("intake step broke")
        steps_after.append(time.monotonic())
        time.sleep(0.01)

    monkeypatch.setattr(Intake, "step", step)
    stop, intake = threading.Event(), Intake(consumer="supervision-test")
    thread = supervision.supervised_thread(service.INTAKE, lambda: intake.run(stop), stop, shared=True)
    try:
        wait_for(lambda: names_down("ingest-intake"), 30, "/healthz naming the intake")
        failed = [record for record in caplog.records if "ingest-intake failed" in record.getMessage()]
        assert failed[0].levelno == logging.ERROR
        assert "intake step broke" in caplog.text  # the traceback
        healed.set()
        wait_for(lambda: steps_after, 30, "the intake started again")
        wait_for(lambda: health()[0] == 200, 30, "/healthz ok again")
        assert "ingest-intake" not in health()[1]
    finally:
        stop.set()
        thread.join(30)
    assert not thread.is_alive()


@pytest.mark.usefixtures("no_parts_down")
async def test_a_failing_relay_is_logged_started_again_and_named_by_healthz(transactional_db, monkeypatch, caplog):
    healed, relayed = asyncio.Event(), []

    async def relay_once(relay: Relay) -> int:
        if not healed.is_set():
            raise ValueError("relay broke")
        relayed.append(1)
        await asyncio.sleep(0.01)
        return 0

    monkeypatch.setattr(Relay, "relay_once", relay_once)
    relay = Relay(Presence(settings.AGENT_OFFLINE_AFTER, started=time.time()))
    task = asyncio.create_task(supervision.supervised(service.RELAY, lambda: service.keep_relaying(relay), shared=True))
    try:
        await until(lambda: names_down("ingest-relay"), "/healthz naming the relay")
        assert "ingest-relay failed" in caplog.text
        assert "relay broke" in caplog.text
        healed.set()
        await until(lambda: relayed and health()[0] == 200, "the relay started again, /healthz ok")
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)


async def until(condition, what: str, seconds: float = 30) -> None:
    """Waits on the event (each look in a thread: /healthz is a sync view) for up to `seconds`."""
    deadline = time.monotonic() + seconds
    while not await sync_to_async(condition)():
        assert time.monotonic() < deadline, f"{what} not within {seconds} s"
        await asyncio.sleep(0.02)
