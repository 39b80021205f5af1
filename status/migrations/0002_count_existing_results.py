"""Count the check results kept so far (CHECK_RESULT_RETENTION_HOURS) into the uptime ledger.

Written against the historical models, so later changes to the apps cannot break it.
"""

from collections import defaultdict
from datetime import UTC, datetime

from django.db import migrations

BATCH = 5000
FIELDS = {"up": "up_s", "degraded": "degraded_s", "down": "down_s"}


def count_existing(apps, schema_editor):
    CheckResult = apps.get_model("monitor", "CheckResult")
    Check = apps.get_model("monitor", "Check")
    Host = apps.get_model("monitor", "Host")
    MaintenanceWindow = apps.get_model("monitor", "MaintenanceWindow")
    UptimeHour = apps.get_model("status", "UptimeHour")
    intervals = dict(Check.objects.values_list("pk", "interval_s"))
    host_tags = defaultdict(set)
    for host_id, tag_id in Host.tags.through.objects.values_list("host_id", "tag_id"):
        host_tags[host_id].add(tag_id)
    windows = list(MaintenanceWindow.objects.values_list("host_id", "tag_id", "starts_at", "ends_at"))
    rows = {}
    results = CheckResult.objects.order_by("pk").values_list(
        "host_check_id", "host_id", "started_at", "status", "latency_ms"
    )
    for check_id, host_id, started, status, latency in results.iterator(chunk_size=BATCH):
        if check_id not in intervals or status not in FIELDS:
            continue
        hour = datetime.fromtimestamp(int(started.timestamp()) // 3600 * 3600, UTC)
        row = rows.get((check_id, hour))
        if row is None:
            row = rows[check_id, hour] = UptimeHour(
                host_check_id=check_id, host_id=host_id, hour=hour, opened_at=started
            )
        row.opened_at = min(row.opened_at, started)
        tags = host_tags[host_id]
        maintenance = any((h == host_id or t in tags) and begins <= started < ends for h, t, begins, ends in windows)
        field = "maintenance_s" if maintenance else FIELDS[status]
        setattr(row, field, getattr(row, field) + intervals[check_id])
        if latency is not None:
            row.latency_ms_sum += latency
            row.latency_count += 1
    UptimeHour.objects.bulk_create(rows.values(), batch_size=1000, ignore_conflicts=True)


class Migration(migrations.Migration):
    dependencies = [("status", "0001_initial"), ("monitor", "0006_permissions")]

    operations = [migrations.RunPython(count_existing, migrations.RunPython.noop)]
