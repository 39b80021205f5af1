"""Open sockets follow the account: a logout, a deactivation or a change of rights closes them.

Each consumer joins its user's group and its session's group (core.consumers). A
logout closes that session's sockets with CLOSE_UNAUTHENTICATED (the page goes to the
login form); a deactivation closes all the user's sockets the same way; a change of
groups, permissions or staff/superuser flags closes them with CLOSE_RECONNECT, so
each page reconnects at once and is authorised with the new rights.
"""

import logging

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.contrib.auth.signals import user_logged_out
from django.db import transaction
from django.db.models.signals import m2m_changed, post_save, pre_save

from core.groups import ACCESS_CHANGED, CLOSE_RECONNECT, CLOSE_UNAUTHENTICATED, session_group, user_group
from core.publisher import publisher

logger = logging.getLogger(__name__)

RIGHTS_FLAGS = ("is_active", "is_staff", "is_superuser")


def close_sockets(groups: list[str], code: int) -> None:
    """Tell every socket in `groups` to close with `code`, once the transaction commits."""

    def send() -> None:
        try:
            publisher().publish((group, ACCESS_CHANGED, str(code)) for group in groups)
        except Exception:  # Redis down: the sockets are gone with it, or checked on their next frame
            logger.exception("could not close the sockets of %s", groups)

    transaction.on_commit(send)


def logged_out(sender, request, user, **kwargs) -> None:
    if request is not None and request.session.session_key:
        close_sockets([session_group(request.session.session_key)], CLOSE_UNAUTHENTICATED)


def remember_flags(sender, instance, update_fields=None, **kwargs) -> None:
    if update_fields is not None and not set(update_fields) & set(RIGHTS_FLAGS):
        instance._rights_before = None  # e.g. the last_login written at every login
        return
    old = sender.objects.filter(pk=instance.pk).values(*RIGHTS_FLAGS).first() if instance.pk else None
    instance._rights_before = old


def flags_saved(sender, instance, created, **kwargs) -> None:
    before = getattr(instance, "_rights_before", None)
    if created or before is None:
        return
    if not instance.is_active and before["is_active"]:
        close_sockets([user_group(instance.pk)], CLOSE_UNAUTHENTICATED)
    elif any(before[flag] != getattr(instance, flag) for flag in RIGHTS_FLAGS):
        close_sockets([user_group(instance.pk)], CLOSE_RECONNECT)


def memberships_changed(sender, instance, action, pk_set, **kwargs) -> None:
    """A user's groups or permissions, or a group's permissions, changed (edited from either side)."""
    if action == "pre_clear":
        # After a clear Django names no rows: note the other side while it is still there.
        instance._cleared = _other_side(sender, instance)
    elif action in ("post_add", "post_remove", "post_clear"):
        changed = getattr(instance, "_cleared", set()) if action == "post_clear" else pk_set or set()
        if user_ids := _users(sender, instance, changed):
            close_sockets([user_group(pk) for pk in user_ids], CLOSE_RECONNECT)


def _users(sender, instance, changed: set[int]) -> list[int]:
    """The users whose rights an edit of `instance`'s `sender` relation (rows `changed`) touched."""
    User = get_user_model()
    if isinstance(instance, User):
        return [instance.pk]
    if sender is Group.permissions.through:  # a group's permissions, from either side
        groups = [instance.pk] if isinstance(instance, Group) else changed
        return list(User.objects.filter(groups__in=groups).values_list("pk", flat=True).distinct())
    return list(changed)  # a group's or a permission's users, edited from that side


def _other_side(sender, instance) -> set[int]:
    User = get_user_model()
    if isinstance(instance, User):
        return set()  # the user is what changed; the rows do not matter
    if sender is Group.permissions.through and isinstance(instance, Permission):
        return set(instance.group_set.values_list("pk", flat=True))
    return set(instance.user_set.values_list("pk", flat=True))


def connect() -> None:
    User = get_user_model()
    user_logged_out.connect(logged_out, dispatch_uid="accounts.logged_out")
    pre_save.connect(remember_flags, sender=User, dispatch_uid="accounts.remember_flags")
    post_save.connect(flags_saved, sender=User, dispatch_uid="accounts.flags_saved")
    for through in (User.groups.through, User.user_permissions.through, Group.permissions.through):
        m2m_changed.connect(memberships_changed, sender=through, dispatch_uid=f"accounts.{through.__name__}")
