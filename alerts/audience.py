"""Who hears of a rule's alerts: named users, role groups, and teams.

A rule reaches its recipients, the members of its groups, the members of its teams, and
the members of the teams that own its tag (a rule watching the hosts tagged "db" reaches
the team of "db"). The team of its escalation policy may see and acknowledge its alerts
too, but is told level by level (alerts.escalation), not all at once.
"""

from django.contrib.auth import get_user_model
from django.db.models import Q

from alerts.models import AlertRule


def recipients_filter(rule: AlertRule) -> Q:
    told = Q(alert_rules=rule) | Q(groups__alert_rules=rule) | Q(teams__alert_rules=rule)
    if rule.tag_id:
        told |= Q(teams__tags=rule.tag_id)
    return told


def recipients(rule: AlertRule) -> list[int]:
    """Active users told of the rule's alerts as they fire, resolve and are acknowledged."""
    users = get_user_model().objects.filter(is_active=True)
    return list(users.filter(recipients_filter(rule)).distinct().values_list("pk", flat=True))


def audience(rule: AlertRule) -> list[int]:
    """Recipients and the escalation policy's team: who may see and acknowledge the rule's alerts."""
    seeing = recipients_filter(rule)
    if rule.escalation_policy_id:
        seeing |= Q(teams__escalation_policies=rule.escalation_policy_id)
    users = get_user_model().objects.filter(is_active=True)
    return list(users.filter(seeing).distinct().values_list("pk", flat=True))


def rules_of(user, prefix: str = "") -> Q:
    """Rows whose rule's alerts `user` may see (see `audience`); `prefix` leads to the rule."""
    return (
        Q(**{f"{prefix}rule__recipients": user})
        | Q(**{f"{prefix}rule__recipient_groups__user": user})
        | Q(**{f"{prefix}rule__recipient_teams__members": user})
        | Q(**{f"{prefix}rule__tag__teams__members": user})
        | Q(**{f"{prefix}rule__escalation_policy__team__members": user})
    )
