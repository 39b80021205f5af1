"""Open sockets follow the account: a logout, a deactivation, a deletion, a password change or a
change of rights closes them.

Each consumer joins its user's group and its session's group (core.sockets.consumers). A
logout closes that session's sockets with CLOSE_UNAUTHENTICATED (the page goes to the
login form), a session deleted otherwise with CLOSE_RECONNECT; a deactivation or a deletion
closes all the user's sockets the same way; a password change has every socket of the
user read its session again and close the same way if it no longer signs the user in;
a change of groups, permissions or staff/superuser flags closes them with
CLOSE_RECONNECT, so each page reconnects at once and is authorised with the new rights.
"""

import logging

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.contrib.auth.signals import user_logged_out
from django.contrib.sessions.models import Session
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save
from django.utils import timezone

from core.contracts.groups import (
    ACCESS_CHANGED,
    CLOSE_RECONNECT,
    CLOSE_UNAUTHENTICATED,
    SESSION_CHECK,
    session_group,
    user_group,
)
from core.redis_io.publisher import publisher

logger = logging.getLogger(__name__)

RIGHTS_FLAGS = ("is_active", "is_staff", "is_superuser")
# Read before a user is saved: the rights, and the password hash that signs their sessions.
WATCHED_FIELDS = (*RIGHTS_FLAGS, "password")


def close_sockets(groups: list[str], code: int) -> None:
    """Tell every socket in `groups` to close with `code`, once the transaction commits."""
    tell_sockets(groups, ACCESS_CHANGED, str(code))


def tell_sockets(groups: list[str], message_type: str, text: str) -> None:
    def send() -> None:
        try:
            publisher().publish((group, message_type, text) for group in groups)
        except Exception:  # Redis down: the sockets are gone with it, or checked on their next frame
            logger.exception("could not tell the sockets of %s", groups)

    transaction.on_commit(send)


def logged_out(sender, request, user, **kwargs) -> None:
    if request is not None and request.session.session_key:
        close_sockets([session_group(request.session.session_key)], CLOSE_UNAUTHENTICATED)


def remember_flags(sender, instance, update_fields=None, **kwargs) -> None:
    if update_fields is not None and not set(update_fields) & set(WATCHED_FIELDS):
        instance._rights_before = None  # e.g. the last_login written at every login
        return
    old = sender.objects.filter(pk=instance.pk).values(*WATCHED_FIELDS).first() if instance.pk else None
    instance._rights_before = old


def flags_saved(sender, instance, created, **kwargs) -> None:
    before = getattr(instance, "_rights_before", None)
    if created or before is None:
        return
    if not instance.is_active and before["is_active"]:
        close_sockets([user_group(instance.pk)], CLOSE_UNAUTHENTICATED)
    elif any(before[flag] != getattr(instance, flag) for flag in RIGHTS_FLAGS):
        close_sockets([user_group(instance.pk)], CLOSE_RECONNECT)  # the reconnect checks the session too
    elif before["password"] != instance.password:
        # Sessions signed in with the old password are over; one updated with the new hash
        # (update_session_auth_hash) lives on: each socket reads its own to know which it is.
        tell_sockets([user_group(instance.pk)], SESSION_CHECK, "")


def user_deleted(sender, instance, **kwargs) -> None:
    close_sockets([user_group(instance.pk)], CLOSE_UNAUTHENTICATED)


def session_deleted(sender, instance, **kwargs) -> None:
    """A session's row deleted: ended from elsewhere (the admin, a flush), or replaced by a new key
    for the same login (cycle_key). The sockets reconnect with the cookie the browser now holds,
    and the handshake lets in the new key and refuses a session that is gone (4401). Expired
    rows, swept by the thousand (clearsessions), are left out: one message each would flood Redis."""
    if instance.expire_date > timezone.now():
        close_sockets([session_group(instance.session_key)], CLOSE_RECONNECT)


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
    post_delete.connect(user_deleted, sender=User, dispatch_uid="accounts.user_deleted")
    post_delete.connect(session_deleted, sender=Session, dispatch_uid="accounts.session_deleted")
    for through in (User.groups.through, User.user_permissions.through, Group.permissions.through):
        m2m_changed.connect(memberships_changed, sender=through, dispatch_uid=f"accounts.{through.__name__}")
