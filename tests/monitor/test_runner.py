"""The checks runner keeps results it could not save and saves them when the database answers."""

import time

import pytest
from django.db import OperationalError

from monitor import runner
from monitor.models import Check, CheckResult, Host
from tests.targets import tcp_listener


@pytest.mark.django_db(transaction=True)
def test_a_batch_that_fails_to_save_is_saved_on_a_later_try(monkeypatch, caplog):
    host = Host.objects.create(name="web", address="127.0.0.1")
    failures = []

    def database_away_once(batch):
        # The seam to the database: the first save meets a database that is not there.
        if not failures:
            failures.append(len(batch))
            raise OperationalError("connection to server at 127.0.0.1 failed: Connection refused")
        return save_results(batch)

    save_results = runner.save_results
    monkeypatch.setattr(runner, "save_results", database_away_once)
    monkeypatch.setattr(runner, "SAVE_RETRY_FIRST_S", 0.05)
    with tcp_listener() as port:
        check = Check.objects.create(host=host, kind="tcp", port=port, interval_s=60, timeout_s=2)
        runner.CheckRunner(max_concurrency=10).run([check.spec(time.time())], wait_s=10)

    assert failures == [1]
    assert "trying again" in caplog.text
    [result] = CheckResult.objects.filter(host_check=check)
    assert result.status == "up"
