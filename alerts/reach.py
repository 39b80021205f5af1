"""Whom a rule reaches: its recipients and the members of its recipient groups, active ones only.

A rule that would reach nobody is refused where rules are written (the product's form, the
REST API): it would fire into the history page only, and nobody would know.
"""

from collections.abc import Iterable

from django.contrib.auth import get_user_model
from django.db.models import Q


def reached(users: Iterable, groups: Iterable) -> set[int]:
    """Ids of the active users that `users` and the members of `groups` make up."""
    user_ids = [getattr(u, "pk", u) for u in users]
    group_ids = [getattr(g, "pk", g) for g in groups]
    active = get_user_model().objects.filter(is_active=True)
    return set(active.filter(Q(pk__in=user_ids) | Q(groups__in=group_ids)).values_list("pk", flat=True))


def nobody_reason(users: Iterable, groups: Iterable) -> str:
    """Why a rule with these recipients would reach nobody; empty when it reaches someone."""
    users, groups = list(users), list(groups)
    if reached(users, groups):
        return ""
    if not users and not groups:
        return "This rule would reach nobody: choose at least one recipient or group."
    return "This rule would reach nobody: its recipients are inactive and its groups have no active members."
