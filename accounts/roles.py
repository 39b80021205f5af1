"""The three roles a team hands out, shipped as Django groups (migration 0001).

- viewer: reads every page, chart, chat and API list (any signed-in account reads;
  the group grants the matching view permissions in admin too);
- operator: a viewer who also acknowledges alerts, chats, opens rooms, runs a check now
  and writes incident and maintenance notes on status pages;
- admin: an operator who also configures hosts, checks, rules, tokens and agents.

Users and groups themselves are managed by superusers only: changing a user in admin
would let an admin make themselves superuser.

The groups are made by migration 0001 and brought in line with this module after
every migrate and flush (post_migrate): a new model's permissions reach the admin role
without a hand edit.
"""

from django.utils.translation import gettext_lazy as _

VIEWER = "viewer"
OPERATOR = "operator"
ADMIN = "admin"
# The group names stay English (they are keys); pages show these.
LABELS = {VIEWER: _("viewer"), OPERATOR: _("operator"), ADMIN: _("admin")}

# app label -> models a viewer may view (their admin pages, read-only).
VIEWED = {
    "monitor": ["tag", "site", "host", "check", "checkresult", "maintenancewindow"],
    "alerts": ["alertrule", "alert", "alertevent"],
    "chat": ["chatroom", "chatmessage"],
    "stats": ["agent"],
    "probes": ["probe"],
    "status": ["statuspage", "notice"],
    "events": ["event", "unknownsource"],
    "oncall": ["team", "schedule", "rotation", "participant", "override", "escalationpolicy", "escalationlevel"],
}
OPERATOR_ACTIONS = [
    ("alerts", "acknowledge_alert"),
    ("chat", "add_chatmessage"),
    ("chat", "add_chatroom"),
    ("monitor", "run_check"),
    # A maintenance window silences a host's alerts for a while: handling work, not configuration.
    ("monitor", "add_maintenancewindow"),
    # Telling status pages' readers what is going on is part of handling an incident.
    ("status", "add_notice"),
    ("status", "change_notice"),
    ("status", "delete_notice"),
    # Swapping a shift ("I take Saturday") is part of being on call.
    ("oncall", "add_override"),
]
# Apps an admin configures: every permission of their models.
CONFIGURED_APPS = ["monitor", "alerts", "chat", "api", "stats", "status", "events", "discovery", "probes", "oncall"]


def permissions_of(role: str, all_codenames: dict[str, list[str]]) -> set[tuple[str, str]]:
    """(app label, codename) pairs of `role`; `all_codenames` maps each app to its permissions."""
    viewer = {(app, f"view_{model}") for app, models in VIEWED.items() for model in models}
    if role == VIEWER:
        return viewer
    operator = viewer | set(OPERATOR_ACTIONS)
    if role == OPERATOR:
        return operator
    if role == ADMIN:
        return operator | {(app, codename) for app in CONFIGURED_APPS for codename in all_codenames.get(app, [])}
    raise ValueError(f"unknown role {role!r}")


ROLES = (VIEWER, OPERATOR, ADMIN)


def sync_roles(Group, Permission) -> None:
    """Create the role groups and set their permissions (given the model classes, as migrations do)."""
    every: dict[str, list[str]] = {}
    rows = list(Permission.objects.select_related("content_type"))
    for permission in rows:
        every.setdefault(permission.content_type.app_label, []).append(permission.codename)
    for role in ROLES:
        wanted = permissions_of(role, every)
        group, _ = Group.objects.get_or_create(name=role)
        group.permissions.set([p for p in rows if (p.content_type.app_label, p.codename) in wanted])
