"""Fixtures the monitor tests share."""

from datetime import UTC, datetime

import pytest

from monitor.models import Check, Host

T0 = datetime(2026, 11, 23, 12, 0, 0, tzinfo=UTC)


@pytest.fixture
def due_checks(transactional_db):
    """make(count, interval): `count` TCP checks of a new host, all due at T0."""

    def make(count: int, interval: int = 30) -> list[Check]:
        host = Host.objects.create(name=f"h{Host.objects.count()}", address="127.0.0.1")
        Check.objects.bulk_create(
            Check(host=host, kind="tcp", port=1, interval_s=interval, next_run_at=T0) for _ in range(count)
        )
        return list(host.checks.all())

    return make
