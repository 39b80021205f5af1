"""History housekeeping runs in a worker of its own: a long rollup never holds back the check dispatcher."""

import time
from datetime import timedelta

import pytest
from django.utils import timezone

from monitor.models import Check, Host
from monitor.tasks import dispatch_checks
from stats.history import ingest
from stats.models import RollupCursor
from stats.tasks import roll_up_history
from tests import processes
from tests.servers import wait_for
from tests.waits import EVENT_TIMEOUT_S

pytestmark = pytest.mark.pipeline

# Port series of a few hundred switches: their minute rollup takes seconds.
SERIES = 60_000


def test_checks_are_dispatched_on_time_while_history_is_rolled_up(transactional_db):
    minute = int(time.time()) // 60 * 60 - 120
    ingest.store(("device:1", "port.in_bps", f"port{i}", minute, float(i)) for i in range(SERIES))
    host = Host.objects.create(name="switch", address="127.0.0.1")
    check = Check.objects.create(host=host, kind="tcp", port=9, interval_s=3600)
    Check.objects.filter(pk=check.pk).update(next_run_at=timezone.now() - timedelta(seconds=1))
    with processes.together(
        processes.tasks_worker(processes.agent_name("dispatcher")),
        processes.housekeeping_worker(processes.agent_name("housekeeping")),
    ):
        roll_up_history.delay()
        # The rollup has begun: it made its cursor and now reads and writes 60,000 series.
        wait_for(lambda: RollupCursor.objects.filter(tier="minute").exists(), 30, "the rollup's start")
        dispatch_checks.delay()
        wait_for(
            lambda: Check.objects.get(pk=check.pk).next_run_at > timezone.now(), EVENT_TIMEOUT_S, "the check's claim"
        )
        still_rolling_up = RollupCursor.objects.get(tier="minute").done_until == 0
        wait_for(lambda: RollupCursor.objects.get(tier="minute").done_until > 0, 120, "the rollup's end")
    assert still_rolling_up, "the check was claimed only after the rollup had finished"
