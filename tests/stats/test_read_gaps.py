"""The relay and the intake read at most every READ_GAP_S however fast frames arrive: a read names
every stream of the process, so reading as each frame arrived cost more than the frames did."""

import itertools
import time

import pytest
from django.conf import settings

from stats import intake, relay
from stats.presence import Presence
from tests import processes
from tests.stats.test_intake import seconds_saved
from tests.stats.test_poison_frames import healthy, send

pytestmark = pytest.mark.usefixtures("no_latest_frames")

ROUNDS = 6
GAP_S = 0.2  # set longer than the product's, so that no machine's slowness fakes it


async def test_the_relay_waits_out_its_read_gap_when_frames_keep_coming(db, monkeypatch):
    monkeypatch.setattr(relay, "READ_GAP_S", GAP_S)
    name, now = processes.agent_name("relay-gap"), int(time.time())
    processes.register(name)
    live = relay.Relay(Presence(settings.AGENT_OFFLINE_AFTER, started=time.time()))
    await live.refresh()
    started = time.monotonic()
    for index in range(ROUNDS):
        send(name, healthy(now + index, float(index)))  # a frame waits at every read
        assert await live.relay_once() == 1
    # Without the gap the rounds take a few milliseconds together.
    assert time.monotonic() - started >= (ROUNDS - 1) * GAP_S


def test_the_intake_reads_at_most_every_read_gap_and_writes_all(db, monkeypatch):
    monkeypatch.setattr(intake, "READ_GAP_S", GAP_S)
    name, now = processes.agent_name("intake-gap"), int(time.time())
    processes.register(name)
    ingest = intake.Intake(consumer="intake-gap", flush_every=60)  # no write falls due meanwhile
    reads, read = [], ingest.redis.xreadgroup

    def timed_read(group, consumer, streams, *args, **kwargs):
        if ">" in streams.values():  # new entries (not the start's look for entries read before)
            reads.append(time.monotonic())
        return read(group, consumer, streams, *args, **kwargs)

    ingest.redis.xreadgroup = timed_read
    for index in range(ROUNDS):
        send(name, healthy(now + index, float(index)))
        ingest.step()
    assert ingest.held_count == ROUNDS  # one frame a read: each was there when it read
    assert len(reads) == ROUNDS
    assert min(later - earlier for earlier, later in itertools.pairwise(reads)) >= GAP_S
    ingest.flush()
    assert seconds_saved(name) == [now + index for index in range(ROUNDS)]
