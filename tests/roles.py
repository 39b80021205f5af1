"""Users with the roles the accounts migration ships."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from accounts import roles


def user_with_role(username: str, role: str | None, **fields):
    """A user in the `role` group (None: no role); staff for admins, as admin needs it."""
    fields.setdefault("is_staff", role == roles.ADMIN)
    user = get_user_model().objects.create_user(username, password="correct horse battery", **fields)
    if role is not None:
        user.groups.add(Group.objects.get(name=role))
    return user
