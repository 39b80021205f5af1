"""A frame no agent should send is set aside and counted; it stops neither history nor a restarted ingest."""

import asyncio
import json
import time

import pytest
from django.conf import settings

from core.redis_io.redis_clients import sync_redis
from stats import intake, stream_caps, streams
from stats.checked import Checked
from stats.models import Agent, RejectedCount, RejectedFrame
from stats.presence import Presence
from stats.relay import Relay
from tests import processes
from tests.api.test_api import make_token
from tests.api.test_prometheus import samples, scrape
from tests.servers import wait_for
from tests.stats.test_intake import seconds_saved

pytestmark = pytest.mark.usefixtures("no_latest_frames")

POISON = '{"type":"stats","ts":1e15,"seq":1,"cpu":{"percent":5}}'
BAD = {  # entry text (TS: a time in the window) -> the reason it is set aside
    POISON: "ts_ahead",
    '{"type":"stats","ts":TS,"cpu":{"percent":1e308}}': "not_finite",
    '{"type":"stats","ts":TS,"cpu":{"percent":NaN}}': "not_a_frame",
    '{"type":"stats","ts":TS,"mem":{"total":1e400}}': "not_finite",
    '{"type":"stats","ts":TS,"mem":{"percent":"high"}}': "not_a_number",
    '{"type":"stats","ts":TS,"net":{"eth0":{"rx_bps":-5}}}': "out_of_range",
}


def send(name: str, text: str) -> str:
    return streams.as_text(sync_redis().xadd(streams.frames_key(name), {"frame": text}))


def healthy(ts: int, value: float) -> str:
    return json.dumps({"type": "stats", "ts": ts, "mem": {"percent": value}})


def send_poisoned_and_healthy(poisoned: str, fine: str, start: int) -> None:
    """The poisoned agent's bad entries between good ones; the other agent's good ones meanwhile."""
    for index, text in enumerate(BAD):
        send(poisoned, healthy(start + 2 * index, 1.0))
        send(poisoned, text.replace("TS", str(start + 2 * index + 1)))
        send(fine, healthy(start + index, 2.0))


def run_until(ingest: intake.Intake, done, what: str) -> None:
    """The real intake's steps, as its thread runs them, until `done()`."""

    def stepped() -> bool:
        ingest.step()
        return done()

    wait_for(stepped, 30, what)


def rejected_counts(name: str) -> dict[str, int]:
    return dict(RejectedCount.objects.filter(agent__name=name).values_list("reason", "count"))


def test_bad_entries_are_set_aside_counted_and_acknowledged_while_history_goes_on(db):
    poisoned, fine, start = processes.agent_name("poisoned"), processes.agent_name("fine"), int(time.time()) - 60
    for name in (poisoned, fine):
        processes.register(name)
    send_poisoned_and_healthy(poisoned, fine, start)
    ingest = intake.Intake(consumer="poison-test", flush_every=0)
    expected = {reason: list(BAD.values()).count(reason) for reason in BAD.values()}
    run_until(ingest, lambda: rejected_counts(poisoned) == expected, "every bad entry set aside")
    assert seconds_saved(fine) == [start + index for index in range(len(BAD))]
    assert seconds_saved(poisoned) == [start + 2 * index for index in range(len(BAD))]
    kept = RejectedFrame.objects.filter(agent__name=poisoned, reason="ts_ahead").get()
    assert "1e15" in kept.text
    assert kept.detail == "ts=1000000000000000.0"
    assert sync_redis().xpending(streams.frames_key(poisoned), intake.GROUP)["pending"] == 0

    # A healthy frame sent later still reaches history: the poison stops nothing behind it.
    send(fine, healthy(start + 30, 3.0))
    run_until(ingest, lambda: start + 30 in seconds_saved(fine), "a later frame in history")
    assert rejected_counts(poisoned) == expected  # each counted once


def test_a_restarted_ingest_is_not_stopped_by_the_entry_it_held(db):
    poisoned, fine, start = processes.agent_name("poisoned"), processes.agent_name("fine"), int(time.time()) - 60
    for name in (poisoned, fine):
        processes.register(name)
    send(poisoned, POISON)
    first = intake.Intake(consumer="poison-restart", flush_every=3600)
    run_until(first, lambda: first.held_count >= 1, "the poison read")  # and never written: killed here
    send(fine, healthy(start, 2.0))
    send(poisoned, healthy(start + 1, 1.0))

    again = intake.Intake(consumer="poison-restart", flush_every=0)  # same consumer: finds what was read
    run_until(again, lambda: seconds_saved(poisoned) == [start + 1] and seconds_saved(fine) == [start],
              "the frames behind the poison in history")  # fmt: skip
    assert rejected_counts(poisoned) == {"ts_ahead": 1}


def test_an_entry_history_cannot_write_is_set_aside_and_the_rest_written(db, monkeypatch):
    name, start = processes.agent_name("unwritable"), int(time.time()) - 60
    processes.register(name)
    for second in range(start, start + 8):
        send(name, healthy(second, 66.6 if second == start + 5 else 1.0))
    original = intake.frame_points

    def frame_points(frame: dict):  # a fault in writing one frame, whatever it may be
        if frame.get("mem", {}).get("percent") == 66.6:
            raise RuntimeError("cannot write this one")
        return original(frame)

    monkeypatch.setattr(intake, "frame_points", frame_points)
    ingest = intake.Intake(consumer="unwritable-test", flush_every=0)
    run_until(ingest, lambda: len(seconds_saved(name)) == 7, "the writable frames")
    assert seconds_saved(name) == [second for second in range(start, start + 8) if second != start + 5]
    assert rejected_counts(name) == {"unwritable": 1}
    assert sync_redis().xpending(streams.frames_key(name), intake.GROUP)["pending"] == 0


def test_the_rejected_counts_are_shown_to_admins(db, admin_client):
    name = processes.agent_name("poisoned")
    processes.register(name)
    send(name, POISON)
    ingest = intake.Intake(consumer="poison-admin", flush_every=0)
    run_until(ingest, lambda: rejected_counts(name) == {"ts_ahead": 1}, "the poison set aside")
    agents = admin_client.get("/admin/stats/agent/").content.decode()
    assert name in agents
    assert 'class="field-rejected">1<' in agents
    agent = admin_client.get(f"/admin/stats/agent/{Agent.objects.get(name=name).pk}/change/").content.decode()
    assert "ts_ahead" in agent
    kept = admin_client.get("/admin/stats/rejectedframe/").content.decode()
    assert name in kept
    assert "ts_ahead" in kept


async def test_the_relay_passes_healthy_frames_and_not_the_poison(db):
    name, now = processes.agent_name("relayed"), int(time.time())
    processes.register(name)
    relay = Relay(Presence(settings.AGENT_OFFLINE_AFTER, started=time.time()))
    await relay.refresh()
    send(name, POISON)
    send(name, '{"type":"stats","ts":TS,"cpu":{"percent":1e308}}'.replace("TS", str(now)))
    assert await relay.relay_once() == 0
    send(name, healthy(now, 4.0))
    assert await relay.relay_once() == 1


def test_the_intake_takes_the_relays_checks_instead_of_checking_again(db):
    name, now = processes.agent_name("checked-once"), int(time.time())
    processes.register(name)
    checked = Checked()
    relay = Relay(Presence(settings.AGENT_OFFLINE_AFTER, started=time.time()), checked=checked)

    async def relayed() -> int:
        await relay.refresh()
        send(name, POISON)
        send(name, healthy(now, 4.0))
        return await relay.relay_once()

    assert asyncio.run(relayed()) == 1
    assert len(checked) == 2
    ingest = intake.Intake(consumer="checked-once", flush_every=0, checked=checked)
    run_until(ingest, lambda: seconds_saved(name) == [now], "the healthy frame in history")
    assert rejected_counts(name) == {"ts_ahead": 1}
    assert len(checked) == 0  # both taken: neither decoded nor checked again


def test_the_rejected_counts_are_exported_to_prometheus(db):
    name = processes.agent_name("poisoned")
    processes.register(name)
    send(name, POISON)
    send(name, '{"type":"stats","ts":TS,"cpu":{"percent":-1}}'.replace("TS", str(int(time.time()))))
    ingest = intake.Intake(consumer="poison-prometheus", flush_every=0)
    run_until(ingest, lambda: sum(rejected_counts(name).values()) == 2, "both set aside")
    status, text = scrape(make_token("prometheus"))
    assert status == 200
    found = samples(text)
    for reason in ("ts_ahead", "out_of_range"):
        assert found["netmon_agent_rejected_entries_total", (("agent", name), ("reason", reason))] == 1


def test_a_stream_an_agent_never_trims_is_held_to_its_cap_and_what_is_dropped_counted(db):
    # An agent may only append, but one that leaves out MAXLEN could fill Redis during a database outage.
    flooder = processes.agent_name("flooder")
    processes.register(flooder)
    key, start = streams.frames_key(flooder), int(time.time()) - 60
    with sync_redis().pipeline(transaction=False) as pipe:
        for index in range(stream_caps.STREAM_CAP + 500):
            pipe.xadd(key, {"frame": healthy(start, index % 100)})
        pipe.execute()
    ingest = intake.Intake(consumer="cap-test", flush_every=0)
    run_until(ingest, lambda: stream_caps.REASON in rejected_counts(flooder), "the dropped entries counted")
    assert rejected_counts(flooder)[stream_caps.REASON] == 500
    assert sync_redis().xlen(key) <= stream_caps.STREAM_CAP
