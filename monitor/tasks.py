import time
from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from core.pruning import delete_in_batches
from core.redis_io import heartbeats
from monitor import missed
from monitor.csv_import import import_hosts
from monitor.devices.models import AddressEntry, ForwardingEntry, InventoryEvent
from monitor.models import Check, CheckResult, HostImport
from monitor.runner import check_runner
from monitor.scheduling import Claim, claim_due_checks
from monitor.trial_runs import try_checks  # noqa: F401  (registered with the worker from here)

# The dispatcher runs every second; claiming two seconds ahead covers a late tick,
# and the runner waits for each check's exact slot.
DISPATCH_HORIZON_S = 2.0
CLAIMS_PER_TRANSACTION = 2_000
CHECKS_PER_TASK = 200


@shared_task(name="monitor.dispatch_checks", ignore_result=True)
def dispatch_checks() -> int:
    """Claim every check due soon and queue it for the checks workers; returns how many.

    First, claims whose run never reported are recorded as missed (monitor.missed).
    """
    heartbeats.mark(heartbeats.DISPATCHER)  # the dashboards say so when this stops
    missed.record_overdue(timezone.now())
    total = 0
    for _ in range(50):  # bounded: 100,000 checks per tick at most
        claims = claim_due_checks(timezone.now(), DISPATCH_HORIZON_S, CLAIMS_PER_TRANSACTION, send=queue_runs)
        total += len(claims)
        if len(claims) < CLAIMS_PER_TRANSACTION:
            break
    return total


def queue_runs(claims: list[Claim]) -> None:
    for start in range(0, len(claims), CHECKS_PER_TASK):
        chunk = claims[start : start + CHECKS_PER_TASK]
        run_checks.apply_async(
            args=[[(c.check_id, c.due) for c in chunk]],
            # A run that waited longer than its interval is superseded by the next one.
            expires=min(c.interval_s for c in chunk),
        )


@shared_task(name="monitor.run_checks", ignore_result=True)
def run_checks(claims: list[tuple[int, float]]) -> None:
    """Run claimed checks at their slots (a checks worker; many at once on its event loop)."""
    due = dict(claims)
    checks = Check.objects.filter(pk__in=due, enabled=True, host__enabled=True).select_related("host")
    specs = [check.spec(due[check.id]) for check in checks]
    if not specs:
        return
    wait_s = max(s.due for s in specs) - time.time() + max(s.timeout_s for s in specs) + 60
    check_runner().run(specs, wait_s)


@shared_task(name="monitor.prune_results", ignore_result=True, time_limit=600)
def prune_results() -> int:
    """Delete check results older than CHECK_RESULT_RETENTION_HOURS; returns how many."""
    cutoff = timezone.now() - timedelta(hours=settings.CHECK_RESULT_RETENTION_HOURS)
    pruned = delete_in_batches(CheckResult.objects.filter(started_at__lt=cutoff))
    return pruned + prune_sightings()


def prune_sightings() -> int:
    """Delete address sightings and inventory changes older than SIGHTING_RETENTION_DAYS; returns how many."""
    cutoff = timezone.now() - timedelta(days=settings.SIGHTING_RETENTION_DAYS)
    return (delete_in_batches(ForwardingEntry.objects.filter(last_seen_at__lt=cutoff))
            + delete_in_batches(AddressEntry.objects.filter(last_seen_at__lt=cutoff))
            + delete_in_batches(InventoryEvent.objects.filter(at__lt=cutoff)))  # fmt: skip


@shared_task(name="monitor.import_hosts", ignore_result=True, time_limit=3600)
def import_hosts_file(import_id: int) -> None:
    """Run a queued CSV import (monitor.models.HostImport), recording its progress as it goes."""
    imports = HostImport.objects.filter(pk=import_id)
    if not imports.filter(state=HostImport.State.QUEUED).update(state=HostImport.State.RUNNING):
        return  # deleted meanwhile, or already taken
    job = imports.get()

    def progress(done: int, total: int) -> None:
        imports.update(rows_done=done, rows_total=total)

    report = import_hosts(job.text, dry_run=job.dry_run, progress=progress)
    imports.update(state=HostImport.State.DONE, text="", report=report.as_dict())
