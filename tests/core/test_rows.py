"""Many rows written in one executemany: what bulk_create and bulk_update would store, on either database."""

from datetime import UTC, datetime

from core.rows import insert_new, update_fields
from monitor.models import Check, CheckResult, Host

AT = datetime(2026, 12, 6, 10, 0, 30, tzinfo=UTC)


def result(check: Check, latency_ms: float | None) -> CheckResult:
    return CheckResult(host_check=check, host_id=check.host_id, scheduled_at=AT, started_at=AT, status="up",
                       latency_ms=latency_ms, details={"port": 22})  # fmt: skip


def test_it_inserts_rows_and_leaves_out_those_a_constraint_holds(db):
    check = Check.objects.create(host=Host.objects.create(name="a", address="127.0.0.1"), kind="tcp", port=22)
    insert_new([result(check, 1.5)])
    insert_new([result(check, 9.0)])  # the same slot again
    [saved] = CheckResult.objects.all()
    assert (saved.latency_ms, saved.details, saved.started_at, saved.host_id) == (1.5, {"port": 22}, AT, check.host_id)


def test_it_saves_the_fields_named_of_each_row_and_nothing_else(db):
    hosts = [Host.objects.create(name=name, address="127.0.0.1") for name in ("a", "b")]
    hosts[0].status, hosts[0].last_checked_at, hosts[0].last_latency_ms = "down", AT, None
    hosts[1].status, hosts[1].name = "up", "renamed"
    update_fields(hosts, ["status", "last_checked_at", "last_latency_ms"])
    assert list(Host.objects.order_by("pk").values_list("name", "status", "last_checked_at", "last_latency_ms")) == [
        ("a", "down", AT, None),
        ("b", "up", None, None),
    ]
