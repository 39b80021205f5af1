"""A large CSV import: every good row saved, every bad one reported with its line, in
batches of queries rather than queries per row."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from monitor.csv_import import BATCH, import_hosts
from monitor.models import Check, Host, Status, Tag

ROWS = 3 * BATCH + 17


def large_csv() -> tuple[str, dict[int, str]]:
    """ROWS hosts, every 97th row bad in a different way; returns the text and line -> expected error."""
    lines, bad = ["name,address,tags,enabled,interval,checks"], {}
    faults = [("not a host!", "yes", "30", "ping", "is neither an IP address nor a valid hostname"),
              ("127.0.0.1", "maybe", "30", "ping", "is not yes or no"),
              ("127.0.0.1", "yes", "30", "smtp:25", "is not a check"),
              ("127.0.0.1", "yes", "2", "tcp:22", "Checks run at most every 5 seconds.")]  # fmt: skip
    for i in range(ROWS):
        line = i + 2
        if i % 97 == 5:
            address, enabled, interval, checks, message = faults[len(bad) % len(faults)]
            bad[line] = message
        else:
            address, enabled, interval, checks = (
                f"10.{i // 65536}.{i // 256 % 256}.{i % 256}",
                "yes",
                "60",
                "ping tcp:22",
            )
            enabled = "no" if i % 10 == 0 else enabled
        lines.append(f"host-{i:05d},{address},bulk rack-{i % 7},{enabled},{interval},{checks}")
    return "\n".join(lines) + "\n", bad


def test_a_large_file_keeps_every_good_row_and_reports_every_bad_line(transactional_db):
    text, bad = large_csv()
    with CaptureQueriesContext(connection) as queries:
        report = import_hosts(text)
    good = ROWS - len(bad)
    assert [line for line, _ in report.errors] == sorted(bad)
    assert all(bad[line] in message for line, message in report.errors), report.errors[:4]
    assert (report.created, report.updated, report.checks_added) == (good, 0, 2 * good)
    assert Host.objects.count() == good
    assert Check.objects.count() == 2 * good
    assert Host.objects.filter(enabled=False).exclude(status=Status.PAUSED).count() == 0
    assert Tag.objects.get(name="bulk").hosts.count() == good
    assert {str(settings) for settings in Check.objects.filter(kind="tcp").values_list("settings", flat=True)} == {
        "{'port': 22}"
    }
    assert len(queries) < ROWS / 10  # a few per batch (inserts split by the driver's limits), none per row

    again = import_hosts(text)  # the same file again: every host updated, no check twice
    assert (again.created, again.updated, again.checks_added) == (0, good, 0)
    assert Check.objects.count() == 2 * good
