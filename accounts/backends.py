"""Local sign-in turned off (LOCAL_LOGIN=false), except for superusers.

With sign-in through a directory, local passwords are usually turned off; a superuser
keeps theirs, to get in when the directory is down (break glass).
"""

from django.contrib.auth.backends import ModelBackend


class BreakGlassBackend(ModelBackend):
    def user_can_authenticate(self, user) -> bool:
        return getattr(user, "is_superuser", False) and super().user_can_authenticate(user)
