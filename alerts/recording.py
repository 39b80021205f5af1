"""Recording alert transitions and acknowledgements, and announcing them.

A firing or resolving transition is saved as an AlertEvent with one Notification per
recipient target, in one transaction. Only after the commit is it announced to each
recipient's alert group and handed to the notification task, so nothing is announced
that was not saved, and a saved notification is sent even if that hand-over is lost
(see tasks).
"""

import logging
from datetime import UTC, datetime

from django.conf import settings
from django.db import close_old_connections, transaction
from django.db.models import Prefetch
from django.utils import translation
from django.utils.translation import gettext as _

from alerts import escalation
from alerts.announcing import Announcement, alert_fields, announcement, frames_for
from alerts.audience import audience, recipients, rules_of
from alerts.messages import acknowledgement_text, behind_text, held_text, transition_text
from alerts.models import Alert, AlertEvent, AlertRule, AlertState, Notification, NotificationTarget
from alerts.rules import FIRING, RESOLVED, Transition
from alerts.suppression import Suppression, host_of
from alerts.tasks import send_event_notifications
from core.redis_io.publisher import publisher

logger = logging.getLogger(__name__)


def record(transitions: list[Transition]) -> list[int]:
    """Save each transition (alert state, event, notifications); announce after commit. Returns event ids."""
    close_old_connections()
    rules = AlertRule.objects.in_bulk({t.rule_id for t in transitions})
    announcements = []
    suppression = Suppression()
    with transaction.atomic():
        for t in transitions:
            rule = rules.get(t.rule_id)
            if rule is None:
                continue  # deleted since it was loaded
            if told := _record_transition(rule, t, suppression):
                announcements.append(told)
        announcements += release(suppression)
    transaction.on_commit(lambda: announce(announcements))
    return [event_id for _, event_id, _ in announcements]


def _record_transition(rule: AlertRule, t: Transition, suppression: Suppression) -> Announcement | None:
    """Save one transition; the announcement to make, or None for a held alert (nobody is told)."""
    moment = datetime.fromtimestamp(t.at, UTC)
    host_alert = host_of(t.subject) is not None
    via = suppression.via(t.subject) if host_alert and t.kind == FIRING else ""
    was_held = host_alert and t.kind == RESOLVED and _held(rule, t.subject)
    alert, _ = Alert.objects.update_or_create(
        rule=rule,
        subject=t.subject,
        defaults={"subject_label": t.label, "state": AlertState.HELD if via else t.kind, "value": t.value,
                  "since": moment, "acknowledged_by": None, "acknowledged_at": None},
    )  # fmt: skip
    behind = suppression.behind(t.subject) if host_alert and t.kind == FIRING and not via else 0
    with translation.override(settings.LANGUAGE_CODE):
        message = held_text(rule, t.label, via) if via else transition_text(rule, t.label, t.kind, t.value)
        message = behind_text(message, behind) if behind else message
    # Stamped with the transition's time: one recorded late (the database was away) keeps its moment.
    event = AlertEvent.objects.create(alert=alert, kind=AlertEvent.Kind.HELD if via else t.kind, value=t.value,
                                      message=message, created_at=moment, via=via, behind=behind)  # fmt: skip
    if via or was_held:
        return None  # held, or the end of a hold: nobody was told it began
    return _notify(rule, alert, event, t.kind)


def _held(rule: AlertRule, subject: str) -> bool:
    return Alert.objects.filter(rule=rule, subject=subject, state=AlertState.HELD).exists()


def _notify(rule: AlertRule, alert: Alert, event: AlertEvent, kind: str) -> Announcement:
    users = recipients(rule)
    targets = NotificationTarget.objects.filter(user_id__in=users, enabled=True)
    Notification.objects.bulk_create(Notification(event=event, target=target) for target in targets)
    escalation.follow_transition(alert, rule, event.created_at)
    return announcement(users, kind, alert, event)


def release(suppression: Suppression) -> list[Announcement]:
    """Held alerts whose parent is back: fired now if their host is still DOWN (its own fault, then)."""
    released = []
    for alert in Alert.objects.filter(state=AlertState.HELD).select_related("rule"):
        if suppression.via(alert.subject) or not suppression.down(alert.subject):
            continue  # still behind a DOWN parent, or back up: its next result resolves it
        alert.state, alert.since = AlertState.FIRING, datetime.now(UTC)
        alert.save(update_fields=["state", "since"])
        with translation.override(settings.LANGUAGE_CODE):
            message = transition_text(alert.rule, alert.subject_label, FIRING, alert.value)
        event = AlertEvent.objects.create(alert=alert, kind=FIRING, value=alert.value, message=message)
        released.append(_notify(alert.rule, alert, event, FIRING))
    return released


def announce(announcements: list[Announcement]) -> None:
    """After commit: each recipient's browsers, then the notification task (best effort; a sweep
    re-sends what this hand-over loses)."""
    try:
        publisher().publish(frames_for(announcements))
    except Exception:
        logger.exception("could not announce %d alert events to browsers", len(announcements))
    for _users, event_id, _texts in announcements:
        try:
            send_event_notifications.delay(event_id)
        except Exception:
            logger.exception("could not queue notifications of event %s; the sweep will", event_id)


# --- per-user views and acknowledgement ------------------------------------------------


def open_alerts_for(user) -> list[dict]:
    firing_events = Prefetch(
        "events", queryset=AlertEvent.objects.filter(kind=AlertEvent.Kind.FIRING), to_attr="firing_events"
    )
    alerts = (
        Alert.objects.filter(rules_of(user), state=AlertState.FIRING)
        .distinct()
        .select_related("rule", "acknowledged_by")
        .prefetch_related(firing_events)
        .order_by("-since")
    )
    # Events are ordered newest first: the message of the firing that opened the alert.
    return [alert_fields(alert, alert.firing_events[0]) for alert in alerts if alert.firing_events]


class NotYours(Exception):
    pass


ACKNOWLEDGE_PERMISSION = "alerts.acknowledge_alert"


def acknowledge(alert_id: int, user) -> None:
    """Mark a firing alert acknowledged by `user` and tell every recipient at once."""
    if not user.has_perm(ACKNOWLEDGE_PERMISSION):
        raise NotYours(_("acknowledging alerts needs the operator role"))
    with transaction.atomic():
        alert = Alert.objects.select_for_update().select_related("rule").filter(pk=alert_id).first()
        if alert is None or user.pk not in audience(alert.rule):
            raise NotYours(_("no such alert among yours"))
        if alert.state != AlertState.FIRING:
            raise NotYours(_("only a firing alert can be acknowledged"))
        if alert.acknowledged_by_id:
            return
        alert.acknowledged_by, alert.acknowledged_at = user, datetime.now(UTC)
        alert.save(update_fields=["acknowledged_by", "acknowledged_at"])
        with translation.override(settings.LANGUAGE_CODE):
            message = acknowledgement_text(alert.rule, alert.subject_label, user.get_username())
        event = AlertEvent.objects.create(alert=alert, kind=AlertEvent.Kind.ACKNOWLEDGED, by=user, message=message)
        escalation.stop(alert)
        told = announcement(audience(alert.rule), "acknowledged", alert, event)
    transaction.on_commit(lambda: publisher().publish(frames_for([told])))
