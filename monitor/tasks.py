import time
from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from monitor import notify
from monitor.checks.base import CheckSpec
from monitor.models import Check, CheckResult, Notification, NotificationAttempt
from monitor.runner import check_runner
from monitor.scheduling import Claim, claim_due_checks
from NetWorkMonitor.pruning import delete_in_batches

# The dispatcher runs every second; claiming two seconds ahead covers a late tick,
# and the runner waits for each check's exact slot.
DISPATCH_HORIZON_S = 2.0
CLAIMS_PER_TRANSACTION = 2_000
CHECKS_PER_TASK = 200


@shared_task(name="monitor.dispatch_checks", ignore_result=True)
def dispatch_checks() -> int:
    """Claim every check due soon and queue it for the checks workers; returns how many."""
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
    specs = [spec_for(check, due[check.id]) for check in checks]
    if not specs:
        return
    wait_s = max(s.due for s in specs) - time.time() + max(s.timeout_s for s in specs) + 60
    check_runner().run(specs, wait_s)


def spec_for(check: Check, due: float) -> CheckSpec:
    return CheckSpec(
        id=check.id,
        host_id=check.host_id,
        kind=check.kind,
        address=check.host.address,
        timeout_s=check.timeout_s,
        due=due,
        ping_count=check.ping_count,
        port=check.port,
        url=check.url,
        http_method=check.http_method,
        expected_status=check.expected_status,
        keyword=check.keyword,
        follow_redirects=check.follow_redirects,
        verify_tls=check.verify_tls,
        dns_name=check.dns_name,
        dns_record_type=check.dns_record_type,
        dns_server=check.dns_server,
    )


@shared_task(name="monitor.prune_results", ignore_result=True, time_limit=600)
def prune_results() -> int:
    """Delete check results older than CHECK_RESULT_RETENTION_HOURS; returns how many."""
    cutoff = timezone.now() - timedelta(hours=settings.CHECK_RESULT_RETENTION_HOURS)
    return delete_in_batches(CheckResult.objects.filter(started_at__lt=cutoff))


# --- alert notifications ---------------------------------------------------------------

NOTIFY_ATTEMPTS = 5
NOTIFY_BACKOFF_S = [5, 30, 120, 600]  # after attempts 1, 2, 3, 4


@shared_task(name="monitor.send_event_notifications", ignore_result=True)
def send_event_notifications(event_id: int) -> None:
    for notification_id in Notification.objects.filter(
        event_id=event_id, status=Notification.Status.PENDING
    ).values_list("pk", flat=True):
        send_notification.delay(notification_id)


@shared_task(name="monitor.send_notification", ignore_result=True)
def send_notification(notification_id: int) -> None:
    """One attempt; a failure schedules the next one with back-off, the last one marks it failed."""
    with transaction.atomic():
        notification = (
            Notification.objects.select_for_update()
            .select_related("event", "target")
            .filter(pk=notification_id, status=Notification.Status.PENDING)
            .first()
        )
        if notification is None:
            return  # sent already (a duplicate hand-over), failed for good, or deleted
        # Claim it for the length of one attempt, so that the sweep does not send it twice.
        notification.next_attempt_at = timezone.now() + timedelta(seconds=settings.NOTIFY_RESEND_AFTER_S)
        notification.save(update_fields=["next_attempt_at"])
    event = notification.event
    error = notify.send(notification.target.url, title=event.message, body=event.message)
    NotificationAttempt.objects.create(notification=notification, ok=not error, error=error)
    notification.attempts += 1
    notification.last_error = error
    if not error:
        notification.status = Notification.Status.SENT
    elif notification.attempts >= NOTIFY_ATTEMPTS:
        notification.status = Notification.Status.FAILED
    else:
        delay = NOTIFY_BACKOFF_S[min(notification.attempts, len(NOTIFY_BACKOFF_S)) - 1]
        notification.next_attempt_at = timezone.now() + timedelta(seconds=delay)
        send_notification.apply_async(args=[notification.pk], countdown=delay)
    notification.save(update_fields=["attempts", "last_error", "status", "next_attempt_at"])


@shared_task(name="monitor.resend_pending_notifications", ignore_result=True)
def resend_pending_notifications() -> int:
    """Re-queue pending notifications whose hand-over was lost (a worker died, Redis was away)."""
    overdue = timezone.now() - timedelta(seconds=settings.NOTIFY_RESEND_AFTER_S)
    ids = list(
        Notification.objects.filter(status=Notification.Status.PENDING, next_attempt_at__lt=overdue).values_list(
            "pk", flat=True
        )[:1000]
    )
    for notification_id in ids:
        send_notification.delay(notification_id)
    return len(ids)
