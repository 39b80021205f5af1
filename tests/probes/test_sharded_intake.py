"""Several probes processes share the probes' streams: one killed, one started, every slot recorded once."""

import signal
import threading
import time
from collections import Counter
from contextlib import ExitStack

import pytest
from django.conf import settings

from core.redis_io.redis_clients import sync_redis
from monitor.models import Check, CheckResult, Host, Site
from netmon_probe import keys
from netmon_probe.checks.core import Outcome
from netmon_probe.runtime import result_text
from probes.intake import GROUP, results_key
from tests import processes
from tests.probes.conftest import make_probe
from tests.servers import wait_for
from tests.waits import EVENT_TIMEOUT_S

pytestmark = pytest.mark.pipeline

PROBES = 30  # enough that each of three or four processes is all but sure to win some
ROUNDS = 60  # slots per probe, a round every ROUND_S
ROUND_S = 0.1


class Writer(threading.Thread):
    """What the probes send: a slot of their site's check per round, on their own streams."""

    def __init__(self, checks: dict[str, int], start: int) -> None:
        super().__init__(daemon=True)
        self.checks, self.start_slot, self.rounds = checks, start, 0

    def run(self) -> None:
        redis = sync_redis()
        for n in range(ROUNDS):
            due = time.monotonic() + ROUND_S
            slot = self.start_slot + n
            with redis.pipeline(transaction=False) as pipe:
                for name, check_id in self.checks.items():
                    text = result_text(check_id, slot, slot + 0.01, Outcome(latency_ms=1.0, details={}))
                    pipe.xadd(results_key(name), {keys.ENTRY_FIELD: text, keys.SENT_FIELD: repr(slot + 0.02)})
                pipe.execute()
            self.rounds += 1
            time.sleep(max(0.0, due - time.monotonic()))


def owners() -> Counter:
    """Probes process -> how many probes' streams it holds the lease of."""
    redis, held = sync_redis(), Counter()
    for key in redis.scan_iter(match=f"{settings.REDIS_PREFIX}:{GROUP}:lease:*", count=1000):
        value = redis.get(key)
        if value and not key.endswith(b"@installation"):
            held[value.decode().rsplit(" ", 1)[0]] += 1
    return held


def all_held_by(count: int) -> bool:
    held = owners()
    return len(held) == count and sum(held.values()) == PROBES


def recorded() -> Counter:
    return Counter(CheckResult.objects.values_list("host_check_id", "scheduled_at"))


@pytest.fixture
def site_checks(transactional_db) -> dict[str, int]:
    """A probe per site, each running its site's own check: probe name -> check id."""
    host = Host.objects.create(name="sharded", address="127.0.0.1")
    checks = {}
    for n in range(PROBES):
        site = Site.objects.create(name=f"branch-{n}")
        check = Check.objects.create(host=host, kind="tcp", port=1000 + n, interval_s=1)
        check.sites.add(site)
        checks[make_probe(site)[0].name] = check.pk
    return checks


def test_three_probes_processes_one_killed_one_started_record_every_slot_once(site_checks):
    start = int(time.time()) - 3600
    with ExitStack() as running:
        services = [running.enter_context(processes.probes_service()) for _ in range(3)]
        wait_for(lambda: all_held_by(3), EVENT_TIMEOUT_S, "the probes shared by three processes")
        writer = Writer(site_checks, start)
        writer.start()
        wait_for(lambda: writer.rounds >= ROUNDS // 4, EVENT_TIMEOUT_S, "a quarter of the slots sent")
        services[0].send_signal(signal.SIGKILL)
        services[0].wait(10)
        wait_for(lambda: all_held_by(2), EVENT_TIMEOUT_S, "the killed process's probes taken over")
        running.enter_context(processes.probes_service())
        wait_for(lambda: all_held_by(3), EVENT_TIMEOUT_S, "a share for the new process")
        writer.join(EVENT_TIMEOUT_S + ROUNDS * ROUND_S)
        expected = PROBES * ROUNDS
        wait_for(lambda: len(recorded()) >= expected, EVENT_TIMEOUT_S, "every slot recorded")
        # The streams are trimmed to what is saved: each holds its last saved entry at most.
        wait_for(lambda: sum(sync_redis().xlen(results_key(n)) for n in site_checks) == PROBES,
                 EVENT_TIMEOUT_S, "every stream written away")  # fmt: skip

    slots = recorded()
    by_check = Counter(check_id for check_id, _ in slots)
    assert set(by_check.values()) == {ROUNDS}, "a slot lost"
    assert max(slots.values()) == 1, "a slot recorded twice"
    first, last = min(at for _, at in slots), max(at for _, at in slots)
    assert (first.timestamp(), last.timestamp()) == (start, start + ROUNDS - 1)
