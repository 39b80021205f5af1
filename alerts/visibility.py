"""Who sees which alerts: their recipients, and admins (who configure the rules).

An alert, its events, its chat room `alert-<id>` and its rule's recipients are shown
to the rule's audience (alerts.audience: recipients directly, through a group or a team,
and the escalation policy's team) and to admins only.
"""

from alerts.audience import rules_of
from alerts.models import Alert, AlertRule

ADMIN_PERMISSION = "alerts.change_alertrule"


def sees_every_alert(user) -> bool:
    return user.is_active and user.has_perm(ADMIN_PERMISSION)


def visible(rows, user, prefix: str = ""):
    """`rows` (leading to a rule through `prefix`) narrowed to what `user` may see."""
    return rows if sees_every_alert(user) else rows.filter(rules_of(user, prefix)).distinct()


def may_see_alert(user, alert_id: int) -> bool:
    return visible(Alert.objects.filter(pk=alert_id), user).exists()


def receives(user, rule: AlertRule) -> bool:
    """True when `user` is among the rule's recipients; reads prefetched recipients and groups."""
    if any(recipient.pk == user.pk for recipient in rule.recipients.all()):
        return True
    group_ids = {group.pk for group in rule.recipient_groups.all()}
    return bool(group_ids) and user.groups.filter(pk__in=group_ids).exists()
