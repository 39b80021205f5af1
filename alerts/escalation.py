"""Escalation: a firing alert is told to its policy's levels one after another until acknowledged.

A firing transition starts an Escalation whose first level is due after that level's
delay. At each due level the people it names are told (an AlertEvent "notified" per
person, their notification targets, a frame on their bell) and the next level is due
after its own delay; after the last level the policy starts again from the first, as
many times as it repeats. An acknowledgement (the bell, the API, the alert's chat room)
or the alert resolving stops it at once.

Each step is a Celery task queued for the moment it is due (`alerts.escalate`, eta),
and a sweep every few seconds (`alerts.escalate_due`) runs any step whose task was lost.
A step claims its escalation row (select_for_update, and due_at must have come), so a
task and the sweep never tell a level twice. Tasks are queued by name: this module
and the tasks module do not import each other.
"""

import logging
from datetime import datetime, timedelta

from celery import current_app
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone, translation

from alerts.announcing import announcement, frames_for
from alerts.messages import told_text, transition_text
from alerts.models import Alert, AlertEvent, AlertRule, AlertState, Escalation, Notification, NotificationTarget
from core.redis_io.publisher import publisher
from oncall.models import EscalationLevel
from oncall.schedules import level_targets

logger = logging.getLogger(__name__)

STEP_TASK = "alerts.escalate"
NOTIFY_TASK = "alerts.send_event_notifications"


def follow_transition(alert: Alert, rule: AlertRule, at: datetime) -> None:
    """Inside the transaction recording a transition: a new firing starts an escalation, anything else stops one."""
    stop(alert)
    if alert.state != AlertState.FIRING or not rule.escalation_policy_id:
        return
    first = EscalationLevel.objects.filter(policy_id=rule.escalation_policy_id).first()
    if first is None:
        return
    escalation = Escalation.objects.create(
        alert=alert, policy_id=rule.escalation_policy_id, due_at=at + timedelta(seconds=first.delay_s), started_at=at
    )
    queue_step(escalation)


def stop(alert: Alert) -> None:
    Escalation.objects.filter(alert=alert, state=Escalation.State.ACTIVE).update(state=Escalation.State.STOPPED)


def queue_step(escalation: Escalation) -> None:
    """After the commit, the step's task for the moment it is due (the sweep covers a lost hand-over)."""
    pk, due = escalation.pk, escalation.due_at

    def send() -> None:
        try:
            current_app.send_task(STEP_TASK, args=[pk], eta=due)
        except Exception:
            logger.exception("could not queue escalation %s; the sweep will run it", pk)

    transaction.on_commit(send)


def step(escalation_id: int) -> bool:
    """Tell the level that is due, if it is; True when a level was told."""
    now = timezone.now()
    with transaction.atomic():
        escalation = (
            Escalation.objects.select_for_update()
            .filter(pk=escalation_id, state=Escalation.State.ACTIVE, due_at__lte=now)
            .select_related("alert__rule", "policy__team")
            .first()
        )
        if escalation is None:
            return False  # not due yet (an early duplicate), stopped, finished or deleted
        alert = escalation.alert
        if alert.state != AlertState.FIRING or alert.acknowledged_at:
            escalation.state = Escalation.State.STOPPED
            escalation.save(update_fields=["state"])
            return False
        levels = list(escalation.policy.levels.select_related("policy__team"))
        if escalation.next_level >= len(levels):  # levels deleted since it began
            escalation.state = Escalation.State.DONE
            escalation.save(update_fields=["state"])
            return False
        told, to_send = tell(alert, levels[escalation.next_level], escalation.next_level + 1, now)
        advance(escalation, levels, escalation.policy.repeats, now)
    transaction.on_commit(lambda: announce(told, to_send))
    return True


def advance(escalation: Escalation, levels: list[EscalationLevel], repeats: int, now: datetime) -> None:
    following = escalation.next_level + 1
    if following == len(levels):
        if escalation.round >= repeats:
            escalation.state = Escalation.State.DONE
            escalation.save(update_fields=["state"])
            return
        escalation.round, following = escalation.round + 1, 0
    escalation.next_level = following
    escalation.due_at = now + timedelta(seconds=levels[following].delay_s)
    escalation.save(update_fields=["next_level", "round", "due_at"])
    queue_step(escalation)


def tell(alert: Alert, level: EscalationLevel, number: int, now: datetime) -> tuple[list, list[int]]:
    """Record that level `number` tells its people now; their targets get a notification each.
    Returns the announcements for their bells and the events that have notifications to send."""
    users = get_user_model().objects.filter(pk__in=level_targets(level, now), is_active=True)
    told, to_send = [], []
    for user in users:
        with translation.override(settings.LANGUAGE_CODE):
            firing = transition_text(alert.rule, alert.subject_label, "firing", alert.value)
            message = told_text(firing, number, user.get_username())
        event = AlertEvent.objects.create(
            alert=alert, kind=AlertEvent.Kind.NOTIFIED, value=alert.value, message=message, to=user, level=number,
            created_at=now,
        )  # fmt: skip
        targets = NotificationTarget.objects.filter(user=user, enabled=True)
        if Notification.objects.bulk_create(Notification(event=event, target=target) for target in targets):
            to_send.append(event.pk)
        told.append(announcement([user.pk], "firing", alert, event))
    if not told:
        logger.warning("escalation level %s of alert %s told nobody (no one on call?)", number, alert.pk)
    return told, to_send


def announce(told: list, to_send: list[int]) -> None:
    try:
        publisher().publish(frames_for(told))
    except Exception:
        logger.exception("could not announce %d escalation events to browsers", len(told))
    for event_id in to_send:
        try:
            current_app.send_task(NOTIFY_TASK, args=[event_id])
        except Exception:  # the notifications' sweep sends them
            logger.exception("could not queue notifications of event %s", event_id)


def due_escalations(limit: int = 1000) -> list[int]:
    return list(
        Escalation.objects.filter(state=Escalation.State.ACTIVE, due_at__lte=timezone.now()).values_list(
            "pk", flat=True
        )[:limit]
    )
