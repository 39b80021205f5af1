"""Sending notifications: one task per attempt, retried with back-off, and a sweep for lost hand-overs."""

from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation

from alerts import escalation, notify
from alerts.messages import event_text
from alerts.models import AlertEvent, Notification, NotificationAttempt
from core.i18n.languages import languages_of

NOTIFY_ATTEMPTS = 5
NOTIFY_BACKOFF_S = [5, 30, 120, 600]  # after attempts 1, 2, 3, 4


@shared_task(name="alerts.send_event_notifications", ignore_result=True)
def send_event_notifications(event_id: int) -> None:
    for notification_id in Notification.objects.filter(
        event_id=event_id, status=Notification.Status.PENDING
    ).values_list("pk", flat=True):
        send_notification.delay(notification_id)


@shared_task(name="alerts.send_notification", ignore_result=True)
def send_notification(notification_id: int) -> None:
    """One attempt; a failure schedules the next one with back-off, the last one marks it failed."""
    with transaction.atomic():
        notification = (
            Notification.objects.select_for_update()
            .select_related("target__user")
            .filter(pk=notification_id, status=Notification.Status.PENDING)
            .first()
        )
        if notification is None:
            return  # sent already (a duplicate hand-over), failed for good, or deleted
        # Claimed from now: the sweep leaves it alone for NOTIFY_RESEND_AFTER_S, longer than
        # an attempt takes, and sends it again only if this worker dies mid-send.
        notification.next_attempt_at = timezone.now()
        notification.save(update_fields=["next_attempt_at"])
    event = AlertEvent.objects.select_related("alert__rule", "by").get(pk=notification.event_id)
    user_id = notification.target.user_id
    with translation.override(languages_of([user_id]).get(user_id)):  # the recipient's language
        text = event_text(event)
    target = notification.target
    error = notify.send(target.url, target.user, title=text, body=text, seconds=settings.NOTIFY_ATTEMPT_S)
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


@shared_task(name="alerts.resend_pending_notifications", ignore_result=True)
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


@shared_task(name="alerts.escalate", ignore_result=True, time_limit=60)
def escalate(escalation_id: int) -> None:
    """Tell an escalation's level that is due (alerts.escalation)."""
    escalation.step(escalation_id)


@shared_task(name="alerts.escalate_due", ignore_result=True, time_limit=60)
def escalate_due() -> int:
    """Run the steps that are due and whose task was lost (a worker died, Redis was away)."""
    return sum(escalation.step(escalation_id) for escalation_id in escalation.due_escalations())
