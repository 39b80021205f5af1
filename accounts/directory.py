"""Accounts that follow a directory (LDAP): roles from its groups, at each sign-in and re-check.

django-auth-ldap finds the person, checks the password and creates the account on the
first sign-in; DirectoryBackend then gives the account the highest role whose group
(LDAP_ROLE_GROUPS) it is in, and nothing else: a role taken away in the directory is
taken away here too. Teams with a directory group get exactly that group's members.
Changing the groups closes the account's open sockets (accounts.access), so each page
reconnects with the new rights.
"""

from django.conf import settings
from django.contrib.auth.models import Group
from django.db import transaction
from django_auth_ldap.backend import LDAPBackend, _LDAPUser

from accounts import roles
from oncall.schedules import join_directory_teams


def role_of(group_dns, role_groups: dict[str, str]) -> str | None:
    """The highest role whose group DN is among `group_dns` (DNs compared without case)."""
    held = {dn.lower() for dn in group_dns}
    for role in reversed(roles.ROLES):  # admin first
        if role_groups.get(role, "").lower() in held:
            return role
    return None


@transaction.atomic
def follow_directory(user, role: str | None) -> None:
    """Give `user` exactly `role` among the role groups, the staff flag admin needs, and no
    sign-in at all without a role (someone moved out of every role's group)."""
    # The flags first: a deactivated account's sockets are told "signed out" (accounts.access)
    # before the change of groups tells them "reconnect".
    flags = {"is_staff": role == roles.ADMIN or user.is_superuser, "is_active": role is not None or user.is_superuser}
    if changed := [name for name, value in flags.items() if getattr(user, name) != value]:
        for name in changed:
            setattr(user, name, flags[name])
        user.save(update_fields=changed)
    # Only real changes: any edit of the groups, even an empty one, makes the account's sockets reconnect.
    held = {group.name: group for group in user.groups.filter(name__in=roles.ROLES)}
    if dropped := [group for name, group in held.items() if name != role]:
        user.groups.remove(*dropped)
    if role is not None and role not in held:
        user.groups.add(Group.objects.get(name=role))


class DirectoryBackend(LDAPBackend):
    """django-auth-ldap's backend, with the role following the directory's groups."""

    def authenticate_ldap_user(self, ldap_user, password):
        user = super().authenticate_ldap_user(ldap_user, password)
        return self._followed(user, ldap_user)

    def recheck(self, user) -> bool:
        """Read `user` again from the directory: False when they are gone there or hold no role any
        more (the account is then deactivated). Raises ldap.LDAPError when the directory does not answer."""
        ldap_user = _LDAPUser(self, username=user.get_username())
        _bound = ldap_user.connection  # a directory that does not answer raises here, not "no such person"
        if ldap_user.dn is None:
            follow_directory(user, None)
            return False
        followed = self._followed(ldap_user.populate_user(), ldap_user)
        return followed is not None and followed.is_active

    def _followed(self, user, ldap_user):
        if user is not None and settings.LDAP_ROLE_GROUPS:
            follow_directory(user, role_of(ldap_user.group_dns, settings.LDAP_ROLE_GROUPS))
        if user is not None and self.settings.GROUP_SEARCH is not None:
            join_directory_teams(user, ldap_user.group_dns)
        return user
