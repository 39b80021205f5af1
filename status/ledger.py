"""Counting check results into the hourly uptime ledger, and reading it back.

Writes run inside the results' transaction (core.contracts.signals.results_saved), which sends
only results whose slot had none yet: the ledger and the results commit together, and
a redelivered batch is not counted twice.
"""

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime

from django.db import connection
from django.db.models import Min, Q

from monitor.models import Check, CheckResult, Host, MaintenanceWindow
from status import uptime
from status.models import UptimeHour
from status.uptime import Tally

TALLY_FIELDS = {
    "up": "up_s",
    "degraded": "degraded_s",
    "down": "down_s",
    "maintenance": "maintenance_s",
    "latency_ms_sum": "latency_ms_sum",
    "latency_count": "latency_count",
}


def count_results(sender, results: list[CheckResult], withdrawn: list[CheckResult] = (), **kwargs) -> None:
    count(results)
    count(withdrawn, sign=-1)


def count(results: Iterable[CheckResult], sign: int = 1) -> None:
    """Add the slots of `results` to their hours, or with `sign` -1 take them out (a re-voted slot)."""
    results = list(results)
    if not results:
        return
    intervals = dict(Check.objects.filter(pk__in={r.host_check_id for r in results}).values_list("pk", "interval_s"))
    windows = MaintenanceWindows.covering(results)
    tallies: dict[tuple[int, datetime], Tally] = defaultdict(Tally)
    opened: dict[tuple[int, datetime], tuple[datetime, int]] = {}
    for result in results:
        if result.host_check_id not in intervals:
            continue
        key = (result.host_check_id, uptime.utc(uptime.hour_start(result.started_at.timestamp())))
        in_maintenance = windows.cover(result.host_id, result.started_at)
        tally = uptime.slot(result.status, intervals[result.host_check_id], in_maintenance, result.latency_ms)
        tallies[key] += tally if sign > 0 else -tally
        first = opened.get(key)
        if first is None or result.started_at < first[0]:
            opened[key] = (result.started_at, result.host_id)
    UptimeHour.objects.bulk_create(
        [UptimeHour(host_check_id=c, hour=h, host_id=opened[c, h][1], opened_at=opened[c, h][0]) for c, h in tallies],
        ignore_conflicts=True,
    )
    add_tallies(tallies)


def add_tallies(tallies: dict[tuple[int, datetime], Tally]) -> None:
    """One UPDATE per hour, sent together: a backlog's batch touches thousands (status.models.UptimeHour)."""
    quote, hour_field = connection.ops.quote_name, UptimeHour._meta.get_field("hour")
    additions = ", ".join(f"{quote(field)} = {quote(field)} + %s" for field in TALLY_FIELDS.values())
    sql = f"UPDATE {quote(UptimeHour._meta.db_table)} SET {additions} WHERE host_check_id = %s AND hour = %s"
    rows = [[getattr(tally, name) for name in TALLY_FIELDS] + [check_id, hour_field.get_db_prep_save(hour, connection)]
            for (check_id, hour), tally in tallies.items()]  # fmt: skip
    if not rows:
        return
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


class MaintenanceWindows:
    """The maintenance windows of some hosts (directly or through their tags) over some time."""

    def __init__(self, windows: list[tuple[int | None, int | None, datetime, datetime]], host_tags: dict) -> None:
        self.windows = windows
        self.host_tags = host_tags

    @classmethod
    def covering(cls, results: list[CheckResult]) -> "MaintenanceWindows":
        host_ids = {r.host_id for r in results}
        first = min(r.started_at for r in results)
        last = max(r.started_at for r in results)
        host_tags = defaultdict(set)
        for host_id, tag_id in Host.tags.through.objects.filter(host_id__in=host_ids).values_list("host_id", "tag_id"):
            host_tags[host_id].add(tag_id)
        tag_ids = set().union(*host_tags.values())
        windows = list(
            MaintenanceWindow.objects.filter(Q(host_id__in=host_ids) | Q(tag_id__in=tag_ids))
            .filter(starts_at__lte=last, ends_at__gt=first)
            .values_list("host_id", "tag_id", "starts_at", "ends_at")
        )
        return cls(windows, host_tags)

    def cover(self, host_id: int, moment: datetime) -> bool:
        tags = self.host_tags.get(host_id, set())
        return any(
            (host == host_id or tag in tags) and starts <= moment < ends for host, tag, starts, ends in self.windows
        )


# --- reading ----------------------------------------------------------------------------


def hours_of(host_ids: Iterable[int], since: datetime) -> dict[int, dict[int, dict[int, Tally]]]:
    """host -> check -> {hour start (unix s): tally}, for the hours from `since` on."""
    by_host: dict[int, dict[int, dict[int, Tally]]] = defaultdict(lambda: defaultdict(dict))
    rows = UptimeHour.objects.filter(host_id__in=list(host_ids), hour__gte=since).values_list(
        "host_id", "host_check_id", "hour", *TALLY_FIELDS.values()
    )
    for host_id, check_id, hour, *figures in rows:
        by_host[host_id][check_id][int(hour.timestamp())] = Tally(*figures)
    return by_host


def first_results(host_ids: Iterable[int]) -> dict[int, float]:
    """check -> unix s of its first counted result: where its watched time begins."""
    rows = (
        UptimeHour.objects.filter(host_id__in=list(host_ids))
        .values("host_check_id")
        .annotate(first=Min("opened_at"))
        .values_list("host_check_id", "first")
    )
    return {check_id: first.timestamp() for check_id, first in rows}
