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
from alerts.messages import acknowledgement_text, transition_text
from alerts.models import Alert, AlertEvent, AlertRule, AlertState, Notification, NotificationTarget
from alerts.rules import Transition
from alerts.tasks import send_event_notifications
from core.redis_io.publisher import publisher

logger = logging.getLogger(__name__)


def record(transitions: list[Transition]) -> list[int]:
    """Save each transition (alert state, event, notifications); announce after commit. Returns event ids."""
    close_old_connections()
    rules = AlertRule.objects.in_bulk({t.rule_id for t in transitions})
    announcements = []
    with transaction.atomic():
        for t in transitions:
            rule = rules.get(t.rule_id)
            if rule is None:
                continue  # deleted since it was loaded
            moment = datetime.fromtimestamp(t.at, UTC)
            alert, _ = Alert.objects.update_or_create(
                rule=rule,
                subject=t.subject,
                defaults={"subject_label": t.label, "state": t.kind, "value": t.value, "since": moment,
                          "acknowledged_by": None, "acknowledged_at": None},
            )  # fmt: skip
            with translation.override(settings.LANGUAGE_CODE):
                message = transition_text(rule, t.label, t.kind, t.value)
            # Stamped with the transition's time: one recorded late (the database was away) keeps its moment.
            event = AlertEvent.objects.create(
                alert=alert, kind=t.kind, value=t.value, message=message, created_at=moment
            )
            users = recipients(rule)
            targets = NotificationTarget.objects.filter(user_id__in=users, enabled=True)
            Notification.objects.bulk_create(Notification(event=event, target=target) for target in targets)
            announcements.append(announcement(users, t.kind, alert, event))
            escalation.follow_transition(alert, rule, moment)
    transaction.on_commit(lambda: announce(announcements))
    return [event_id for _, event_id, _ in announcements]


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
