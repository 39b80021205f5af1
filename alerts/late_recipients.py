"""A recipient added to a rule whose alerts are firing is told of them at once, live.

Without this, someone added while an alert fires would see it only after a reload (the
open alerts a page starts with) or at the next transition. Connected to the rule's
recipients and recipient groups changing (m2m_changed) in AlertsConfig.ready().
"""

import logging

from django.contrib.auth import get_user_model
from django.db import transaction

from alerts.models import Alert, AlertEvent, AlertRule, AlertState
from alerts.recording import announcement, frames_for
from core.redis_io.publisher import publisher

logger = logging.getLogger(__name__)


def added_users(model, pk_set: set[int]) -> list[int]:
    """The active users an addition of `pk_set` (users, or groups when `model` is Group) brings."""
    users = get_user_model().objects.filter(is_active=True)
    if model is get_user_model():
        return list(users.filter(pk__in=pk_set).values_list("pk", flat=True))
    return list(users.filter(groups__in=pk_set).distinct().values_list("pk", flat=True))


def firing_announcements(rule_ids: list[int], users: list[int]) -> list:
    """One announcement per firing alert of the rules, with its latest firing event, for `users`."""
    told = []
    for alert in Alert.objects.filter(rule_id__in=rule_ids, state=AlertState.FIRING).select_related("rule"):
        event = alert.events.filter(kind=AlertEvent.Kind.FIRING).order_by("-created_at", "-id").first()
        if event is not None:
            told.append(announcement(users, AlertEvent.Kind.FIRING, alert, event))
    return told


def recipients_changed(sender, instance, action: str, reverse: bool, model, pk_set, **kwargs) -> None:
    """m2m_changed of AlertRule.recipients and AlertRule.recipient_groups."""
    if action != "post_add" or not pk_set:
        return
    if reverse:  # user.alert_rules.add(rule): instance is the user or group, pk_set the rules
        rule_ids, users = list(pk_set), added_users(type(instance), {instance.pk})
    else:
        rule_ids, users = [instance.pk], added_users(model, pk_set)
    if not users:
        return

    def tell() -> None:
        try:
            publisher().publish(frames_for(firing_announcements(rule_ids, users)))
        except Exception:  # Redis away: they see it on their next page load
            logger.exception("could not tell %d new recipients of firing alerts", len(users))

    transaction.on_commit(tell)


def connect() -> None:
    from django.db.models.signals import m2m_changed

    for through in (AlertRule.recipients.through, AlertRule.recipient_groups.through):
        m2m_changed.connect(
            recipients_changed, sender=through, dispatch_uid=f"alerts.late_recipients.{through.__name__}"
        )
